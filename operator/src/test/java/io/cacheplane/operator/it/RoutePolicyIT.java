package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.condition;
import static io.cacheplane.operator.it.Cluster.configMapOf;
import static io.cacheplane.operator.it.Cluster.envelope;
import static io.cacheplane.operator.it.Cluster.isPublishedToNoAgents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.HeaderMatch;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RoutePolicy against the fabric8 mock server: one operator per test, watching the test's own namespace. */
@EnableKubernetesMockClient(crud = true)
class RoutePolicyIT {

  static KubernetesMockServer server;
  static KubernetesClient client;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(15);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CacheplaneOperator operator;
  private String ns;

  @BeforeAll
  static void crds() {
    Cluster.registerCrds(client);
  }

  @BeforeEach
  void startOperator() {
    ns = "route-" + NAMESPACES.incrementAndGet();
    operator = CacheplaneOperator.start(client, OperatorSettings.defaults().withNamespaces(Set.of(ns))
        .withMeterRegistry(registry));
  }

  @AfterEach
  void stopOperatorWithinSeconds() {
    long started = System.nanoTime();
    operator.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    Cluster.awaitResponsive(client);
  }

  private RoutePolicy get(String name) {
    return client.resources(RoutePolicy.class).inNamespace(ns).withName(name).get();
  }

  private void createCachePolicy(String name) {
    client.resource(Fixtures.cachePolicy(ns, name, 100)).create();
  }

  private RoutePolicy createPublished(String name, String... refs) {
    client.resource(Fixtures.routePolicy(ns, name, refs)).create();
    await().atMost(WAIT).until(() -> isPublishedToNoAgents(get(name)));
    return get(name);
  }

  private void editSpec(String name, Consumer<RoutePolicySpec> change) {
    client.resources(RoutePolicy.class).inNamespace(ns).withName(name).edit(p -> {
      change.accept(p.getSpec());
      return p;
    });
  }

  @Test
  void createPublishesTheEnvelopeAndReportsNoMatchingAgents() {
    createCachePolicy("pages");
    RoutePolicy p = createPublished("front", "pages", null);

    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    assertThat(condition(p, "Ready").getReason()).isEqualTo("NoMatchingAgents");
    ConfigMap cm = configMapOf(client, p);
    assertThat(cm.getMetadata().getName()).isEqualTo("routepolicy-front");
    assertThat(cm.getMetadata().getLabels())
        .isEqualTo(ConfigMapNames.labels("RoutePolicy", "front", p.getMetadata().getUid()));
    Envelope e = envelope(cm);
    assertThat(e.kind()).isEqualTo("RoutePolicy");
    assertThat(e.sequence()).isEqualTo(1L);
    assertThat(e.stable().revision()).isEqualTo(p.getStatus().getStableRevision());
    assertThat(e.stable().spec().at("/routes/0/cachePolicyRef").asText()).isEqualTo("pages");
  }

  @Test
  void specUpdatePublishesTheNewRevisionWithTheNextSequence() {
    RoutePolicy before = createPublished("front", (String) null);

    editSpec("front", s -> s.getRoutes().get(0).setTimeout("5s"));

    await().atMost(WAIT).until(() -> get("front").getStatus().getSequence() == 2L && isPublishedToNoAgents(get("front")));
    RoutePolicy after = get("front");
    assertThat(after.getStatus().getStableRevision()).isNotEqualTo(before.getStatus().getStableRevision());
    assertThat(envelope(configMapOf(client, after)).sequence()).isEqualTo(2L);
  }

  static Stream<Arguments> invalidChanges() {
    return Stream.of(
        Arguments.of("weights not summing to 100", (Consumer<RoutePolicySpec>) s -> s.getRoutes().get(0)
            .setBackends(List.of(Fixtures.backend("a", 60), Fixtures.backend("b", 30))),
            "spec.routes[0].backends: weights must sum to 100, got 90"),
        Arguments.of("duplicate route names", (Consumer<RoutePolicySpec>) s -> s.getRoutes().get(1).setName("r0"),
            "spec.routes[1]: duplicate route name \"r0\""),
        Arguments.of("blank route name", (Consumer<RoutePolicySpec>) s -> s.getRoutes().get(0).setName(" "),
            "spec.routes[0].name: is required"),
        Arguments.of("zero timeout", (Consumer<RoutePolicySpec>) s -> s.getRoutes().get(0).setTimeout("0s"),
            "spec.routes[0].timeout: must be a positive duration"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidChanges")
  void invalidUpdateReportsInvalidSpecAndLeavesTheConfigMapAlone(String row, Consumer<RoutePolicySpec> change,
      String expected) {
    createPublished("front", null, null);
    ConfigMap published = configMapOf(client, get("front"));

    editSpec("front", change);

    await().atMost(WAIT).until(() -> get("front").getStatus().getObservedGeneration() == 2L);
    RoutePolicy p = get("front");
    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Invalid);
    assertThat(condition(p, "Ready").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(p, "Ready").getMessage()).contains(expected);
    ConfigMap now = configMapOf(client, p);
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(published.getMetadata().getResourceVersion());
    assertThat(now.getData()).isEqualTo(published.getData());
  }

  @Test
  void unknownCachePolicyBlocksUntilItAppears() {
    client.resource(Fixtures.routePolicy(ns, "front", "pages")).create();

    await().atMost(WAIT).until(() -> condition(get("front"), "Ready") != null);
    RoutePolicy blocked = get("front");
    assertThat(blocked.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    assertThat(condition(blocked, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(blocked, "Ready").getReason()).isEqualTo("CachePolicyNotFound");
    assertThat(condition(blocked, "Ready").getMessage()).contains("route \"r0\"").contains("CachePolicy \"pages\"");
    assertThat(configMapOf(client, blocked)).isNull();

    createCachePolicy("pages");

    await().atMost(WAIT).until(() -> isPublishedToNoAgents(get("front")));
    assertThat(envelope(configMapOf(client, get("front"))).sequence()).isEqualTo(1L);
  }

  @Test
  void aDanglingReferenceKeepsThePreviousConfigMapUntilResolved() {
    createCachePolicy("pages");
    createPublished("front", "pages");
    ConfigMap published = configMapOf(client, get("front"));

    editSpec("front", s -> s.getRoutes().add(Fixtures.route("extra", "/extra", "later")));

    await().atMost(WAIT).until(() -> get("front").getStatus().getObservedGeneration() == 2L);
    assertThat(condition(get("front"), "Ready").getReason()).isEqualTo("CachePolicyNotFound");
    assertThat(condition(get("front"), "Ready").getMessage()).contains("route \"extra\"").contains("\"later\"");
    ConfigMap now = configMapOf(client, get("front"));
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(published.getMetadata().getResourceVersion());

    createCachePolicy("later");

    await().atMost(WAIT).until(() -> isPublishedToNoAgents(get("front")));
    assertThat(envelope(configMapOf(client, get("front"))).sequence()).isEqualTo(2L);
  }

  @Test
  void deletingAReferencedCachePolicyBlocksButKeepsTheConfigMap() {
    createCachePolicy("pages");
    RoutePolicy p = createPublished("front", "pages");
    ConfigMap published = configMapOf(client, p);

    client.resources(CachePolicy.class).inNamespace(ns).withName("pages").delete();

    await().atMost(WAIT).until(() -> "CachePolicyNotFound".equals(condition(get("front"), "Ready").getReason()));
    assertThat(configMapOf(client, p).getData()).isEqualTo(published.getData());
  }

  @Test
  void anEnvelopeAbove900KiBIsRefusedAndThePublishedOneStays() {
    createPublished("front", (String) null);
    ConfigMap published = configMapOf(client, get("front"));

    editSpec("front", s -> {
      List<Route> routes = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        Route r = Fixtures.route("route-" + i, null, null);
        r.getMatch().setPathPrefix(null);
        r.getMatch().setPathRegex("/" + "a".repeat(1000) + i);
        HeaderMatch h = new HeaderMatch();
        h.setName("x-h");
        h.setRegex("b".repeat(1000));
        r.getMatch().setHeaders(List.of(h));
        routes.add(r);
      }
      s.setRoutes(routes);
    });

    await().atMost(WAIT).until(() -> get("front").getStatus().getObservedGeneration() == 2L);
    RoutePolicy p = get("front");
    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    assertThat(condition(p, "Ready").getReason()).isEqualTo("PayloadTooLarge");
    assertThat(condition(p, "Ready").getMessage()).containsPattern("is \\d{7} bytes, above the limit of 921600 bytes");
    assertThat(p.getStatus().getSequence()).isEqualTo(1L);
    ConfigMap now = configMapOf(client, p);
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(published.getMetadata().getResourceVersion());
    assertThat(now.getData()).isEqualTo(published.getData());
  }

  @Test
  void deletingThePolicyRemovesItsConfigMap() {
    RoutePolicy p = createPublished("front", (String) null);

    client.resources(RoutePolicy.class).inNamespace(ns).withName("front").delete();

    await().atMost(WAIT).until(() -> configMapOf(client, p) == null);
  }
}

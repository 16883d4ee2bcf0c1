package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.condition;
import static io.cacheplane.operator.it.Cluster.configMapOf;
import static io.cacheplane.operator.it.Cluster.envelope;
import static io.cacheplane.operator.it.Cluster.isPublishedToNoAgents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
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

/** CachePolicy against the fabric8 mock server: one operator per test, watching the test's own namespace. */
@EnableKubernetesMockClient(crud = true)
class CachePolicyIT {

  static KubernetesMockServer server;
  static KubernetesClient client;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private static final Instant NOW = Instant.parse("2026-11-29T08:00:00Z");

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private CacheplaneOperator operator;
  private String ns;

  @BeforeAll
  static void crds() {
    Cluster.registerCrds(client);
  }

  @BeforeEach
  void startOperator() {
    ns = "cache-" + NAMESPACES.incrementAndGet();
    operator = CacheplaneOperator.start(client, OperatorSettings.defaults().withNamespaces(Set.of(ns))
        .withMeterRegistry(registry).withClock(Clock.fixed(NOW, ZoneOffset.UTC)));
  }

  @AfterEach
  void stopOperatorWithinSeconds() {
    long started = System.nanoTime();
    operator.close();
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    Cluster.awaitResponsive(client);
  }

  private CachePolicy get(String name) {
    return client.resources(CachePolicy.class).inNamespace(ns).withName(name).get();
  }

  private CachePolicy createPublished(String name) {
    client.resource(Fixtures.cachePolicy(ns, name, 100)).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> isPublishedToNoAgents(get(name)));
    return get(name);
  }

  private void editSpec(String name, Consumer<CachePolicySpec> change) {
    client.resources(CachePolicy.class).inNamespace(ns).withName(name).edit(p -> {
      change.accept(p.getSpec());
      return p;
    });
  }

  @Test
  void createPublishesTheEnvelopeAndReportsNoMatchingAgents() {
    CachePolicy p = createPublished("pages");

    // no agent runs: published at once (nothing to wait for), but not Ready, and the selector is named
    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    assertThat(p.getStatus().getSequence()).isEqualTo(1L);
    assertThat(p.getStatus().getCanaryRevision()).isNull();
    assertThat(condition(p, "Ready").getReason()).isEqualTo("NoMatchingAgents");
    assertThat(condition(p, "Ready").getMessage()).contains("no live agent matches agentSelector app=agent")
        .contains("revision " + p.getStatus().getStableRevision() + " is published as stable");
    assertThat(condition(p, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(p, "Degraded").getReason()).isEqualTo("NoMatchingAgents");
    assertThat(condition(p, "Progressing").getStatus()).isEqualTo("False");
    assertThat(condition(p, "Progressing").getReason()).isEqualTo("RolloutCompleted");
    assertThat(condition(p, "Ready").getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
    assertThat(condition(p, "Ready").getLastTransitionTime()).isEqualTo("2026-11-29T08:00:00Z");

    ConfigMap cm = configMapOf(client, p);
    assertThat(cm.getMetadata().getLabels())
        .isEqualTo(ConfigMapNames.labels("CachePolicy", "pages", p.getMetadata().getUid()));
    assertThat(cm.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(p.getMetadata().getUid()));
    Envelope e = envelope(cm);
    assertThat(e.sequence()).isEqualTo(1L);
    assertThat(e.uid()).isEqualTo(p.getMetadata().getUid());
    assertThat(e.stable().revision()).isEqualTo(p.getStatus().getStableRevision())
        .isEqualTo(EnvelopeCodec.publish(p.getSpec(), p.getMetadata().getGeneration(), null).revision());
    assertThat(Cluster.count(registry, "publishes", "kind", "CachePolicy")).isEqualTo(1.0);
    assertThat(Cluster.count(registry, "reconciles", "kind", "CachePolicy", "result", "published")).isEqualTo(1.0);
  }

  @Test
  void policyLabelsAreNeverCopied() {
    CachePolicy p = Fixtures.cachePolicy(ns, "labelled", 10);
    p.getMetadata().setLabels(Map.of("argocd.argoproj.io/instance", "shop", "team", "web"));
    client.resource(p).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> isPublishedToNoAgents(get("labelled")));
    assertThat(configMapOf(client, get("labelled")).getMetadata().getLabels())
        .doesNotContainKeys("argocd.argoproj.io/instance", "team");
  }

  @Test
  void specUpdatePublishesTheNewRevisionWithTheNextSequence() {
    CachePolicy before = createPublished("pages");

    editSpec("pages", s -> s.getCache().setMaximumSize(200L));

    await().atMost(Duration.ofSeconds(15)).until(() -> get("pages").getStatus().getSequence() == 2L && isPublishedToNoAgents(get("pages")));
    CachePolicy after = get("pages");
    assertThat(after.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertThat(after.getStatus().getStableRevision()).isNotEqualTo(before.getStatus().getStableRevision());
    Envelope e = envelope(configMapOf(client, after));
    assertThat(e.sequence()).isEqualTo(2L);
    assertThat(e.stable().revision()).isEqualTo(after.getStatus().getStableRevision());
    assertThat(e.stable().generation()).isEqualTo(2L);
  }

  static Stream<Arguments> invalidChanges() {
    return Stream.of(
        Arguments.of("maximumSize with maximumWeight", (Consumer<CachePolicySpec>) s ->
            s.getCache().setMaximumWeight(new IntOrString("64Mi")), "spec.cache.maximumWeight: "),
        Arguments.of("zero duration", (Consumer<CachePolicySpec>) s -> s.getCache().setExpireAfterWrite("0s"),
            "spec.cache.expireAfterWrite: must be a positive duration"),
        Arguments.of("negative duration", (Consumer<CachePolicySpec>) s -> s.getCache().setExpireAfterAccess("-5m"),
            "spec.cache.expireAfterAccess: "),
        Arguments.of("zero maximumSize", (Consumer<CachePolicySpec>) s -> s.getCache().setMaximumSize(0L),
            "spec.cache.maximumSize: must be between 1"),
        Arguments.of("duplicate key header", (Consumer<CachePolicySpec>) s -> {
          CacheKeySpec key = new CacheKeySpec();
          key.setHeaders(List.of("Accept", "accept"));
          s.setKey(key);
        }, "spec.key.headers[1]: duplicate header"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidChanges")
  void invalidUpdateReportsInvalidSpecAndLeavesTheConfigMapAlone(String row, Consumer<CachePolicySpec> change,
      String expected) {
    createPublished("pages");
    ConfigMap published = configMapOf(client, get("pages"));

    editSpec("pages", change);

    await().atMost(Duration.ofSeconds(15)).until(() -> get("pages").getStatus().getObservedGeneration() == 2L);
    CachePolicy p = get("pages");
    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Invalid);
    assertThat(condition(p, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(p, "Ready").getReason()).isEqualTo("InvalidSpec");
    assertThat(condition(p, "Ready").getMessage()).contains(expected);
    assertThat(condition(p, "Degraded").getStatus()).isEqualTo("True");
    assertThat(p.getStatus().getSequence()).isEqualTo(1L);
    ConfigMap now = configMapOf(client, p);
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(published.getMetadata().getResourceVersion());
    assertThat(now.getData()).isEqualTo(published.getData());
    assertThat(Cluster.count(registry, "invalid.specs", "kind", "CachePolicy")).isEqualTo(1.0);
  }

  @Test
  void invalidNewPolicyPublishesNothing() {
    CachePolicy bad = Fixtures.cachePolicy(ns, "bad", 0);
    client.resource(bad).create();
    await().atMost(Duration.ofSeconds(15)).until(() -> condition(get("bad"), "Ready") != null);
    CachePolicy p = get("bad");
    assertThat(condition(p, "Ready").getReason()).isEqualTo("InvalidSpec");
    assertThat(p.getStatus().getSequence()).isNull();
    assertThat(configMapOf(client, p)).isNull();
  }

  static Stream<Arguments> handEdits() {
    return Stream.of(
        Arguments.of("different envelope", (java.util.function.UnaryOperator<ConfigMap>) cm -> new ConfigMapBuilder(cm)
            .withData(Map.of(Envelope.DATA_KEY, cm.getData().get(Envelope.DATA_KEY).replace("maximumSize: 100",
                "maximumSize: 999999"))).build()),
        Arguments.of("foreign label", (java.util.function.UnaryOperator<ConfigMap>) cm -> new ConfigMapBuilder(cm)
            .editMetadata().addToLabels("team", "web").endMetadata().build()),
        // the informer selects our labels: to it the ConfigMap is gone; the owner reference still names the policy
        Arguments.of("managed-by label removed", (java.util.function.UnaryOperator<ConfigMap>) cm ->
            new ConfigMapBuilder(cm).editMetadata().removeFromLabels("app.kubernetes.io/managed-by").endMetadata()
                .build()),
        Arguments.of("envelope data key removed", (java.util.function.UnaryOperator<ConfigMap>) cm ->
            new ConfigMapBuilder(cm).withData(Map.of("other", "x")).build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("handEdits")
  void handEditedConfigMapIsRepaired(String row, java.util.function.UnaryOperator<ConfigMap> edit) {
    CachePolicy p = createPublished("pages");
    ConfigMap original = configMapOf(client, p);
    ConfigMap edited = edit.apply(original);
    assertThat(edited).isNotEqualTo(original);

    client.configMaps().inNamespace(ns).resource(edited).update();

    await().atMost(Duration.ofSeconds(15)).ignoreExceptions() // the edited envelope may not decode
        .until(() -> envelope(configMapOf(client, p)).sequence() == 2L && get("pages").getStatus().getSequence() == 2L);
    ConfigMap repaired = configMapOf(client, p);
    assertThat(repaired.getMetadata().getLabels())
        .isEqualTo(ConfigMapNames.labels("CachePolicy", "pages", p.getMetadata().getUid()));
    assertThat(envelope(repaired).stable()).isEqualTo(envelope(original).stable());
    assertThat(get("pages").getStatus().getStableRevision()).isEqualTo(p.getStatus().getStableRevision());
  }

  @Test
  void configMapDeletedByHandIsRecreatedWithTheNextSequence() {
    CachePolicy p = createPublished("pages");
    client.configMaps().inNamespace(ns).withName("cachepolicy-pages").delete();

    await().atMost(Duration.ofSeconds(15)).until(() -> {
      ConfigMap cm = configMapOf(client, p);
      return cm != null && envelope(cm).sequence() == 2L;
    });
  }

  @Test
  void deletingThePolicyRemovesItsConfigMap() {
    CachePolicy p = createPublished("pages");
    createPublished("other");

    client.resources(CachePolicy.class).inNamespace(ns).withName("pages").delete();

    await().atMost(Duration.ofSeconds(15)).until(() -> configMapOf(client, p) == null);
    assertThat(configMapOf(client, get("other"))).isNotNull();
    assertThat(Cluster.count(registry, "orphans.deleted", "kind", "CachePolicy")).isEqualTo(1.0);
  }

  @Test
  void aConfigMapThatIsNotOursIsNeverOverwrittenAndThePolicyPublishesOnceItIsDeleted() {
    ConfigMap users = client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
        .withNewMetadata().withNamespace(ns).withName("cachepolicy-x").addToLabels("team", "web").endMetadata()
        .addToData("app.properties", "greeting=hello\n").build()).create();

    client.resource(Fixtures.cachePolicy(ns, "x", 100)).create();

    await().atMost(Duration.ofSeconds(15)).until(() -> condition(get("x"), "Ready") != null);
    CachePolicy p = get("x");
    assertThat(p.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    assertThat(condition(p, "Ready").getStatus()).isEqualTo("False");
    assertThat(condition(p, "Ready").getReason()).isEqualTo("ConfigMapConflict");
    assertThat(condition(p, "Ready").getMessage()).contains("ConfigMap " + ns + "/cachepolicy-x exists and was not "
        + "created for this CachePolicy").contains("not labelled app.kubernetes.io/managed-by=cacheplane-operator");
    assertThat(condition(p, "Degraded").getStatus()).isEqualTo("True");
    assertThat(condition(p, "Degraded").getReason()).isEqualTo("ConfigMapConflict");
    assertThat(p.getStatus().getSequence()).isNull();
    assertUntouched(users);

    // the user edits their ConfigMap: the policy is reconciled again (watch), and still leaves it alone
    double before = Cluster.count(registry, "reconciles", "kind", "CachePolicy", "result", "configmap_conflict");
    ConfigMap edited = client.configMaps().inNamespace(ns).withName("cachepolicy-x")
        .edit(cm -> new ConfigMapBuilder(cm).addToData("app.properties", "greeting=bye\n").build());
    await().atMost(Duration.ofSeconds(15)).until(() -> Cluster.count(registry, "reconciles", "kind", "CachePolicy",
        "result", "configmap_conflict") > before);
    assertUntouched(edited);
    assertThat(Cluster.count(registry, "publishes", "kind", "CachePolicy")).isZero();

    // the user deletes it: the operator publishes at once (long before the periodic re-check)
    client.configMaps().inNamespace(ns).withName("cachepolicy-x").delete();

    await().atMost(Duration.ofSeconds(15)).until(() -> isPublishedToNoAgents(get("x")));
    CachePolicy ready = get("x");
    assertThat(condition(ready, "Ready").getReason()).isEqualTo("NoMatchingAgents");
    assertThat(ready.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    ConfigMap ours = configMapOf(client, ready);
    assertThat(ours.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(ready.getMetadata().getUid()));
    assertThat(ours.getMetadata().getLabels())
        .isEqualTo(ConfigMapNames.labels("CachePolicy", "x", ready.getMetadata().getUid()));
    assertThat(envelope(ours).sequence()).isEqualTo(1L);
  }

  /** The user's ConfigMap is exactly as they left it: same resourceVersion, data, labels, no owner. */
  private void assertUntouched(ConfigMap users) {
    ConfigMap now = client.configMaps().inNamespace(ns).withName(users.getMetadata().getName()).get();
    assertThat(now).isNotNull();
    assertThat(now.getMetadata().getResourceVersion()).isEqualTo(users.getMetadata().getResourceVersion());
    assertThat(now.getData()).isEqualTo(users.getData());
    assertThat(now.getMetadata().getLabels()).isEqualTo(users.getMetadata().getLabels());
    assertThat(now.getMetadata().getOwnerReferences()).isNullOrEmpty();
  }

  @Test
  void aConfigMapLeftByADeletedPolicyOfTheSameNameIsTakenOver() {
    // as a real cluster leaves it when a policy is deleted and re-created before the garbage collector ran
    client.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
        .withNewMetadata().withNamespace(ns).withName("cachepolicy-again")
          .withLabels(ConfigMapNames.labels("CachePolicy", "again", "uid-of-the-deleted-one"))
          .addNewOwnerReference().withApiVersion("cacheplane.io/v1alpha1").withKind("CachePolicy").withName("again")
            .withUid("uid-of-the-deleted-one").withController(true).endOwnerReference()
        .endMetadata()
        .addToData(Envelope.DATA_KEY, "sequence: 7\n").build()).create();

    client.resource(Fixtures.cachePolicy(ns, "again", 100)).create();

    await().atMost(Duration.ofSeconds(15)).until(() -> isPublishedToNoAgents(get("again")));
    CachePolicy p = get("again");
    ConfigMap cm = configMapOf(client, p);
    assertThat(cm.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(p.getMetadata().getUid()));
    assertThat(envelope(cm).uid()).isEqualTo(p.getMetadata().getUid());
    // Taken over (sequence above the old 7), or deleted by the orphan collector first and created afresh: both are
    // fine, the point is that it is never a conflict. (The exact sequence is racy against the collector.)
    assertThat(envelope(cm).sequence()).isPositive();
    assertThat(Cluster.count(registry, "reconciles", "kind", "CachePolicy", "result", "configmap_conflict")).isZero();
  }
}

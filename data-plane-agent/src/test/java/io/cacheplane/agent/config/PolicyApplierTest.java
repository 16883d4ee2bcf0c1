package io.cacheplane.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.RouteTable;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The applier fed with ConfigMaps directly (no API server). */
class PolicyApplierTest {

  private static final String NS = "ns";
  private static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;
  private static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AgentMetrics metrics = new AgentMetrics(registry);
  private final CacheRegistry caches = new CacheRegistry(new FakeTicker(), metrics);
  private final AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
  private final BackendResolver resolver = BackendResolver.mapped(Map.of("products", Endpoint.http("127.0.0.1", 9)),
      (s, p) -> {
        throw new IllegalArgumentException("unknown service " + s);
      });
  private final PolicyApplier applier =
      new PolicyApplier("agent-0", Map.of("tier", "edge"), resolver, caches, metrics, routes);

  private static ConfigMap cachePolicy(long sequence, long maximumSize) {
    CachePolicySpec spec = Policies.cachePolicy(maximumSize, "5m", null, null);
    return Policies.configMap(NS, Policies.stable(CACHE, "pages", "uid-c", sequence, spec));
  }

  private double applies(String kind, String policy) {
    var c = registry.find(AgentMetrics.CONFIG_APPLIES).tags("kind", kind, "policy", policy).counter();
    return c == null ? 0 : c.count();
  }

  private double rejections(String kind, String policy) {
    var c = registry.find(AgentMetrics.CONFIG_REJECTIONS).tags("kind", kind, "policy", policy).counter();
    return c == null ? 0 : c.count();
  }

  private PolicyState only() {
    assertThat(applier.states()).hasSize(1);
    return applier.states().get(0);
  }

  @Test
  void appliesOnceAndIgnoresResyncs() {
    applier.upsert(cachePolicy(1, 100));
    applier.upsert(cachePolicy(1, 100)); // resync: same object again
    PolicyState s = only();
    assertThat(s.state()).isEqualTo(State.Applied);
    assertThat(s.kind()).isEqualTo(CACHE);
    assertThat(s.name()).isEqualTo("pages");
    assertThat(s.uid()).isEqualTo("uid-c");
    assertThat(s.sequence()).isEqualTo(1);
    assertThat(s.appliedRevision()).hasSize(16);
    assertThat(s.track()).isEqualTo(PolicyState.Track.stable);
    assertThat(caches.get("pages").view().maximum()).isEqualTo(100);
    assertThat(applies(CACHE, "pages")).isEqualTo(1);
  }

  @Test
  void rejectionKeepsThePreviousRevisionServing() {
    applier.upsert(cachePolicy(1, 100));
    String applied = only().appliedRevision();

    applier.upsert(Policies.configMap(NS, CACHE, "pages", "uid-c", "this: is: not: yaml"));
    PolicyState s = only();
    assertThat(s.state()).isEqualTo(State.Rejected);
    assertThat(s.reason()).isEqualTo(Reasons.MALFORMED_ENVELOPE);
    assertThat(s.message()).isNotBlank();
    assertThat(s.appliedRevision()).isEqualTo(applied);
    assertThat(s.sequence()).as("last readable sequence").isEqualTo(1);
    assertThat(caches.get("pages")).isNotNull();
    assertThat(rejections(CACHE, "pages")).isEqualTo(1);

    applier.upsert(cachePolicy(2, 50));
    assertThat(only().state()).isEqualTo(State.Applied);
    assertThat(caches.get("pages").view().maximum()).isEqualTo(50);
  }

  @Test
  void lowerSequenceIsIgnored() {
    applier.upsert(cachePolicy(5, 100));
    applier.upsert(cachePolicy(4, 7));
    assertThat(only().sequence()).isEqualTo(5);
    assertThat(caches.get("pages").view().maximum()).isEqualTo(100);
  }

  @Test
  void deleteRemovesThePolicyAndItsCache() {
    ConfigMap cm = cachePolicy(1, 100);
    applier.upsert(cm);
    applier.delete(cm);
    assertThat(applier.states()).isEmpty();
    assertThat(caches.get("pages")).isNull();
    assertThat(registry.find(AgentMetrics.CACHE_ENTRIES).tag("cache", "pages").gauge()).isNull();
  }

  @Test
  void selectorStopsMatchingRemovesThePolicy() {
    applier.upsert(cachePolicy(1, 100));
    CachePolicySpec spec = Policies.cachePolicy(100L, "5m", null, null);
    spec.setAgentSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "core")).build());
    applier.upsert(Policies.configMap(NS, Policies.stable(CACHE, "pages", "uid-c", 2, spec)));
    assertThat(applier.states()).isEmpty();
    assertThat(caches.get("pages")).isNull();
  }

  @Test
  void routePoliciesFillTheRouteTableAndABadOneDoesNotBlockOthers() {
    Route ok = Policies.route("r", "/a", false, "http://127.0.0.1:9", null, null);
    applier.upsert(Policies.configMap(NS, Policies.stable(ROUTE, "good", "uid-g", 1, Policies.routePolicy(ok))));

    Route unresolvable = Policies.route("x", "/x", false, "http://127.0.0.1:9", null, null);
    Backend svc = new Backend();
    svc.setService("nowhere");
    svc.setPort(80);
    unresolvable.setBackends(List.of(svc));
    RoutePolicySpec bad = Policies.routePolicy(unresolvable);
    applier.upsert(Policies.configMap(NS, Policies.stable(ROUTE, "bad", "uid-b", 1, bad)));

    assertThat(applier.states()).extracting(PolicyState::name, PolicyState::state)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("bad", State.Rejected),
            org.assertj.core.groups.Tuple.tuple("good", State.Applied));
    assertThat(applier.states().get(0).reason()).isEqualTo(Reasons.APPLY_FAILED);
    assertThat(applier.states().get(0).message()).contains("nowhere");
    assertThat(routes.get().size()).isEqualTo(1);
    assertThat(routes.get().match("GET", "/a/b", n -> List.of()).policy()).isEqualTo("good");
  }

  @Test
  void expiryChangeRetunesTheLiveCache() {
    applier.upsert(cachePolicy(1, 100));
    CachePolicySpec spec = Policies.cachePolicy(100L, "30s", "10s", null);
    applier.upsert(Policies.configMap(NS, Policies.stable(CACHE, "pages", "uid-c", 2, spec)));
    assertThat(caches.get("pages").view().expireAfterWrite()).isEqualTo(Duration.ofSeconds(30));
    assertThat(caches.get("pages").view().expireAfterAccess()).isEqualTo(Duration.ofSeconds(10));
    assertThat(caches.get("pages").view().incarnation()).isEqualTo(1);
  }

  @Test
  void rejectionsNameTheRefusedRevisionAndRolloutsAreUnderAnalysis() {
    applier.upsert(cachePolicy(1, 100));
    String serving = only().appliedRevision();
    assertThat(only().underAnalysis()).isFalse();
    assertThat(only().rejectedRevision()).isNull();

    CachePolicySpec next = Policies.cachePolicy(50L, "5m", null, null);
    applier.upsert(Policies.configMap(NS, Policies.withCanary(CACHE, "pages", "uid-c", 2,
        Policies.cachePolicy(100L, "5m", null, null), next, Bucketing.ALL, null)));
    PolicyState canary = only();
    assertThat(canary.state()).isEqualTo(State.Applied);
    assertThat(canary.track()).isEqualTo(PolicyState.Track.canary);
    assertThat(canary.underAnalysis()).isTrue();

    PublishedRevision good = EnvelopeCodec.publish(next, 3, Bucketing.ALL);
    Envelope forged = new Envelope(1, CACHE, "pages", "uid-c", 3L, null, EnvelopeCodec.publish(next, 1, null),
        new PublishedRevision("0123456789abcdef", 3L, good.spec(), Bucketing.ALL));
    applier.upsert(Policies.configMap(NS, CACHE, "pages", "uid-c", EnvelopeCodec.encode(forged)));
    PolicyState rejected = only();
    assertThat(rejected.state()).isEqualTo(State.Rejected);
    assertThat(rejected.reason()).isEqualTo(Reasons.REVISION_MISMATCH);
    assertThat(rejected.rejectedRevision()).isEqualTo("0123456789abcdef");
    assertThat(rejected.appliedRevision()).isEqualTo(canary.appliedRevision());
    assertThat(rejected.underAnalysis()).isTrue();

    applier.upsert(Policies.configMap(NS, CACHE, "pages", "uid-c", "{{{ unreadable"));
    assertThat(only().rejectedRevision()).as("nothing could be read").isNull();
    assertThat(only().underAnalysis()).as("as the last readable envelope said").isTrue();

    applier.upsert(cachePolicy(4, 100)); // promoted / rolled back: no canary any more
    assertThat(only().underAnalysis()).isFalse();
    assertThat(only().appliedRevision()).isEqualTo(serving);
  }

  @Test
  void applyFailuresNameTheRevisionThatFailed() {
    Route unresolvable = Policies.route("x", "/x", false, "http://127.0.0.1:9", null, null);
    Backend svc = new Backend();
    svc.setService("nowhere");
    svc.setPort(80);
    unresolvable.setBackends(List.of(svc));
    RoutePolicySpec bad = Policies.routePolicy(unresolvable);
    applier.upsert(Policies.configMap(NS, Policies.stable(ROUTE, "bad", "uid-b", 1, bad)));
    assertThat(only().reason()).isEqualTo(Reasons.APPLY_FAILED);
    assertThat(only().rejectedRevision()).isEqualTo(EnvelopeCodec.publish(bad, 1, null).revision());
  }

  @Test
  void theChangeListenerSeesEveryPublishedState() {
    List<List<PolicyState>> seen = new ArrayList<>();
    PolicyApplier listened = new PolicyApplier("agent-0", Map.of(), resolver, caches, metrics, routes, seen::add);
    ConfigMap cm = cachePolicy(1, 100);
    listened.upsert(cm);
    listened.delete(cm);
    assertThat(seen).hasSize(2);
    assertThat(seen.get(0)).extracting(PolicyState::name).containsExactly("pages");
    assertThat(seen.get(1)).isEmpty();
  }

  private static ConfigMap cachePolicy(String name, long sequence, java.util.function.Consumer<CachePolicySpec> edit) {
    CachePolicySpec spec = Policies.cachePolicy(100L, "5m", null, null);
    edit.accept(spec);
    return Policies.configMap(NS, Policies.stable(CACHE, name, "uid-" + name, sequence, spec));
  }

  private void fill(String cache, int n) {
    for (int i = 0; i < n; i++) {
      caches.get(cache).put("GET /" + i, new io.cacheplane.agent.cache.CachedResponse(200, null, List.of(),
          io.vertx.core.buffer.Buffer.buffer("x"), 0));
    }
    caches.get(cache).cleanUp();
  }

  @Test
  void aNewPurgeGenerationPurgesTheCacheAndARollbackPurgesAgain() {
    applier.upsert(cachePolicy("pages", 1, s -> s.setPurgeGeneration(3L)));
    fill("pages", 10);
    applier.upsert(cachePolicy("pages", 2, s -> {
      s.setPurgeGeneration(3L);
      s.getCache().setMaximumSize(200L);
    }));
    caches.get("pages").cleanUp();
    assertThat(caches.get("pages").estimatedSize()).as("other changes keep the entries").isEqualTo(10);

    applier.upsert(cachePolicy("pages", 3, s -> {
      s.setPurgeGeneration(4L);
      s.getCache().setMaximumSize(200L);
    }));
    caches.get("pages").cleanUp();
    assertThat(caches.get("pages").estimatedSize()).as("generation 3 -> 4").isZero();

    fill("pages", 10);
    applier.upsert(cachePolicy("pages", 4, s -> {
      s.setPurgeGeneration(3L);
      s.getCache().setMaximumSize(200L);
    }));
    caches.get("pages").cleanUp();
    assertThat(caches.get("pages").estimatedSize()).as("a rollback (new sequence, old spec) purges again").isZero();
  }

  @Test
  void sensitivePolicyWithoutAKeyFileIsRejectedAndOthersApply() {
    applier.upsert(cachePolicy("secret", 1, s -> s.setSensitive(true)));
    applier.upsert(cachePolicy("pages", 1, s -> { }));
    PolicyState secret = applier.states().stream().filter(p -> p.name().equals("secret")).findFirst().orElseThrow();
    assertThat(secret.state()).isEqualTo(State.Rejected);
    assertThat(secret.reason()).isEqualTo(Reasons.APPLY_FAILED);
    assertThat(secret.message()).contains("encryption key file");
    assertThat(caches.get("secret")).isNull();
    assertThat(caches.get("pages")).isNotNull();
  }

  @Test
  void sensitivePolicyWithABadKeyFileIsRejectedWithTheReason(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    java.nio.file.Path keyFile = dir.resolve("key");
    java.nio.file.Files.writeString(keyFile, "too short");
    CacheRegistry withKey = new CacheRegistry(new FakeTicker(), metrics, keyFile);
    PolicyApplier a = new PolicyApplier("agent-0", Map.of(), resolver, withKey, metrics, routes);
    a.upsert(cachePolicy("secret", 1, s -> s.setSensitive(true)));
    assertThat(a.states().get(0).state()).isEqualTo(State.Rejected);
    assertThat(a.states().get(0).message()).contains("must hold 32 bytes");

    java.nio.file.Files.write(keyFile, new byte[32]);
    a.upsert(cachePolicy("secret", 2, s -> s.setSensitive(true)));
    assertThat(a.states().get(0).state()).as("a fixed key file is read on the next envelope").isEqualTo(State.Applied);
    assertThat(withKey.get("secret").config().sensitive()).isTrue();
  }
}

package io.cacheplane.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.RemovalCause;
import io.cacheplane.agent.Agent;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.e2e.K8sTools;
import io.cacheplane.local.LocalCluster;
import io.cacheplane.local.Manifests;
import io.cacheplane.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metric catalog of {@code docs/observability.md} against what the planes expose. An operator and two agents run
 * on the mock server with Prometheus registries (as Quarkus gives them in production); traffic goes through the
 * agents (misses, hits, stale answers, evictions, 5xx with retries, refused retries, a bypass for a cache not applied,
 * an unrouted request) and a canary that agents reject is rolled back. Both registries are then scraped in the
 * Prometheus text format, and every public recording method of {@link AgentMetrics} and {@link OperatorMetrics} is
 * also called once on a spare registry, so a meter the scenario did not reach still counts as exposed.
 */
class MetricsCatalogIT {

  private static final String NS = "observability";
  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  /** Markers in the paths and queries sent: no label value may contain them. */
  private static final List<String> MARKERS = List.of("sku-4471", "zq81", "qx55", "tok-9173");

  private static final PrometheusMeterRegistry operatorRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private static final List<PrometheusMeterRegistry> agentRegistries = new ArrayList<>();
  private static LocalCluster cluster;
  private static final List<Agent> agents = new ArrayList<>();
  /** Families scraped from the operator and agents after the scenario. */
  private static Map<String, MetricsCatalog.Family> live;

  @BeforeAll
  static void runTheScenarioAndScrape() throws Exception {
    cluster = LocalCluster.startWithoutAgents(NS, operatorRegistry);
    for (String id : List.of("agent-a", "agent-b")) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      agentRegistries.add(registry);
      agents.add(cluster.startAgent(id, cluster.resolver(), cluster.apiUrl(), s -> s.withMeterRegistry(registry)));
    }
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata: {name: pages}
        spec:
          cache: {maximumSize: 2, expireAfterWrite: 1s, staleWhileRevalidate: 10m}
          key: {queryParameters: [page]}
          rollout: {steps: [{setWeight: 100}]}
        """, CachePolicy.class);
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata: {name: elsewhere}
        spec:
          agentSelector: {matchLabels: {tier: nowhere}}
          cache: {maximumSize: 10}
          rollout: {steps: [{setWeight: 100}]}
        """, CachePolicy.class);
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata: {name: shop}
        spec:
          routes:
          - name: products
            match: {pathPrefix: /api/products}
            backends: [{service: products, port: 8080}]
            cachePolicyRef: pages
          - name: flaky
            match: {pathPrefix: /api/flaky}
            backends: [{service: failing, port: 8080}]
            retries: {attempts: 1, statusCodes: [500]}
          - name: refused
            match: {pathPrefix: /api/refused}
            backends: [{service: failing, port: 8080}]
            retries: {attempts: 1, statusCodes: [500], budgetPercent: 0, minRetryConcurrency: 0}
          - name: other
            match: {pathPrefix: /api/other}
            backends: [{service: cart, port: 8080}]
            cachePolicyRef: elsewhere
          rollout: {steps: [{setWeight: 100}]}
        """, RoutePolicy.class);
    awaitReady(CachePolicy.class, "pages");
    awaitReady(RoutePolicy.class, "shop");

    for (Agent agent : agents) {
      assertThat(xCache(get(agent, "/api/products/sku-4471?page=zq81"))).isEqualTo("MISS");
      assertThat(xCache(get(agent, "/api/products/sku-4471?page=zq81"))).isEqualTo("HIT");
      get(agent, "/api/products/sku-4471?page=qx55");
      get(agent, "/api/products/sku-4471?page=tok-9173");
      assertThat(get(agent, "/api/flaky/sku-4471?page=zq81").statusCode()).isEqualTo(500);
      assertThat(get(agent, "/api/refused/sku-4471").statusCode()).isEqualTo(500);
      assertThat(xCache(get(agent, "/api/other/sku-4471?page=zq81"))).isEqualTo("BYPASS");
      assertThat(get(agent, "/nowhere/sku-4471?page=zq81").statusCode()).isEqualTo(404);
      await("a stale answer once the entries are past their 1 s freshness").atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> List.of("zq81", "qx55", "tok-9173").stream()
              .anyMatch(p -> "STALE".equals(xCache(get(agent, "/api/products/sku-4471?page=" + p)))));
    }

    // A canary the agents reject: rolled back (reason nack), the rejection counted by the agent.
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: canary
          annotations: {cacheplane.io/promote-full: create}
        spec:
          routes:
          - name: main
            match: {pathPrefix: /api/canary}
            backends: [{service: products, port: 8080}]
          rollout: {steps: [{setWeight: 50}, {pause: {}}, {setWeight: 100}]}
        """, RoutePolicy.class);
    awaitReady(RoutePolicy.class, "canary");
    RoutePolicy canary = cluster.client().resources(RoutePolicy.class).inNamespace(NS).withName("canary").get();
    canary.getSpec().getRoutes().get(0).getBackends().get(0).setService(LocalCluster.UNRESOLVABLE_PREFIX + "-x");
    Manifests.apply(cluster.client(), NS, canary);
    await("the canary is rolled back").atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).until(() ->
        operatorRegistry.find("cacheplane.operator.rollbacks").counter() != null);

    await("evictions counted").atMost(CONVERGE).until(() -> agentRegistries.stream()
        .allMatch(r -> r.find(AgentMetrics.CACHE_EVICTIONS).counter() != null));
    live = new LinkedHashMap<>();
    for (PrometheusMeterRegistry r : allLive()) {
      MetricsCatalog.families(r.scrape()).forEach((name, family) -> live.merge(name, family, (a, b) -> {
        List<Map<String, String>> samples = new ArrayList<>(a.samples());
        samples.addAll(b.samples());
        return new MetricsCatalog.Family(name, a.type(), samples);
      }));
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everyExposedMetricIsDocumentedWithItsType() {
    Map<String, String> doc = MetricsCatalog.documented(K8sTools.locate().repoRoot());
    assertThat(live.keySet()).as("exposed cacheplane_* metrics missing from docs/observability.md")
        .isSubsetOf(doc.keySet());
    live.forEach((name, family) -> assertThat(family.type()).as(name + "'s type").isEqualTo(doc.get(name)));
  }

  @Test
  void theScenarioReachesTheMetricsOfEveryPanelAndAlert() {
    assertThat(live).containsKeys("cacheplane_cache_hits_total", "cacheplane_cache_misses_total",
        "cacheplane_cache_stale_total", "cacheplane_cache_evictions_total", "cacheplane_cache_entries",
        "cacheplane_requests_total", "cacheplane_route_retries_total", "cacheplane_route_retries_refused_total",
        "cacheplane_route_cache_not_applied_total", "cacheplane_config_applies_total",
        "cacheplane_config_rejections_total", "cacheplane_operator_rollout_transitions_total",
        "cacheplane_operator_rollbacks_total", "cacheplane_operator_convergence_seconds",
        "cacheplane_operator_reconciles_total", "cacheplane_operator_publishes_total",
        "cacheplane_upstream_duration_seconds", "cacheplane_operator_agents");
    assertThat(live.get("cacheplane_upstream_duration_seconds").samples())
        .contains(Map.of("policy", "shop", "route", "products", "outcome", "2xx"),
            Map.of("policy", "shop", "route", "flaky", "outcome", "5xx"));
    assertThat(operatorRegistry.get("cacheplane.operator.agents").tag("state", "live").gauge().value())
        .as("both agents live by the operator's clock").isEqualTo(2);
    assertThat(operatorRegistry.get("cacheplane.operator.agents").tag("state", "stale").gauge().value()).isZero();
    assertThat(live.get("cacheplane_operator_rollbacks_total").samples())
        .contains(Map.of("kind", "RoutePolicy", "reason", "nack"));
    assertThat(live.get("cacheplane_requests_total").samples())
        .contains(Map.of("policy", "shop", "route", "flaky", "status", "5xx"),
            Map.of("policy", "none", "route", "none", "status", "4xx"));
  }

  @Test
  void everyDocumentedMetricIsRegisteredByTheCode() throws Exception {
    Map<String, String> doc = MetricsCatalog.documented(K8sTools.locate().repoRoot());
    Set<String> exposed = new TreeSet<>(live.keySet());
    exposed.addAll(MetricsCatalog.families(everyRecordingMethodOnce().scrape()).keySet());
    assertThat(doc.keySet()).as("documented metrics that no code registers").isSubsetOf(exposed);
    assertThat(exposed).as("metrics registered by the code but not documented").isSubsetOf(doc.keySet());
  }

  @Test
  void exposedNamesFollowPrometheusConventions() {
    live.forEach((name, family) -> assertThat(MetricsCatalog.namingViolations(name, family.type())).as(name).isEmpty());
  }

  @Test
  void labelValuesAreBoundedNeverPathsKeysOrQueries() {
    List<String> problems = new ArrayList<>();
    live.forEach((name, family) -> family.samples().forEach(labels -> labels.forEach((label, value) -> {
      if (MetricsCatalog.looksUnbounded(value) || MARKERS.stream().anyMatch(value::contains)
          || agents.stream().anyMatch(a -> value.equals(a.settings().agentId()))) {
        problems.add(name + "{" + label + "=\"" + value + "\"}");
      }
    })));
    assertThat(problems).isEmpty();
    assertThat(live.values().stream().mapToLong(f -> f.samples().size()).sum()).as("samples checked")
        .isGreaterThan(30);
  }

  /**
   * A registry in which every public recording method of both metric classes was called once with plain arguments
   * (an eviction through {@link AgentMetrics#evictionCounter}), so its scrape lists every meter the code can register
   * — except those bound to a live cache, which the scenario covers.
   */
  private static PrometheusMeterRegistry everyRecordingMethodOnce() throws Exception {
    PrometheusMeterRegistry spare = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics agentMetrics = new AgentMetrics(spare);
    OperatorMetrics operatorMetrics = new OperatorMetrics(spare);
    List<String> called = new ArrayList<>();
    for (Object target : List.of(agentMetrics, operatorMetrics)) {
      for (Method m : target.getClass().getDeclaredMethods()) {
        if (!Modifier.isPublic(m.getModifiers()) || Modifier.isStatic(m.getModifiers())
            || m.getReturnType() != void.class || m.getName().equals("close")) {
          continue;
        }
        Object[] args = new Object[m.getParameterCount()];
        boolean plain = true;
        for (int i = 0; i < args.length; i++) {
          Class<?> t = m.getParameterTypes()[i];
          args[i] = t == String.class ? (i == 0 && target == operatorMetrics ? "CachePolicy" : "x")
              : t == int.class ? 200 : t == long.class ? 1L : t == Duration.class ? Duration.ofMillis(1) : null;
          plain &= args[i] != null;
        }
        if (plain && !m.getName().equals("unbindCache")) {
          m.invoke(target, args);
          called.add(m.getName());
        }
      }
    }
    agentMetrics.evictionCounter("x").accept(RemovalCause.SIZE);
    assertThat(called).as("recording methods called").contains("hit", "miss", "stale", "request", "retry",
        "retryRefused", "upstream", "applied", "rejected", "stateWriteFailed", "stateFileSkipped", "cacheNotApplied",
        "reconciled", "published", "invalidSpec", "orphanDeleted", "transition", "rollback", "convergence");
    return spare;
  }

  private static List<PrometheusMeterRegistry> allLive() {
    List<PrometheusMeterRegistry> all = new ArrayList<>(agentRegistries);
    all.add(operatorRegistry);
    return all;
  }

  private static void apply(String yaml, Class<? extends HasMetadata> type) {
    try {
      HasMetadata policy = Json.YAML.readValue(yaml, type);
      policy.getMetadata().setNamespace(NS);
      Manifests.apply(cluster.client(), NS, policy);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitReady(Class<? extends HasMetadata> type, String name) {
    await(type.getSimpleName() + " " + name + " Ready").atMost(CONVERGE).pollInterval(Duration.ofMillis(100))
        .ignoreExceptions().untilAsserted(() -> {
          HasMetadata p = cluster.client().resources(type).inNamespace(NS).withName(name).get();
          PolicyStatus s = p instanceof CachePolicy c ? c.getStatus() : ((RoutePolicy) p).getStatus();
          assertThat(s.getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
          assertThat(s.getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo("Ready");
            assertThat(c.getStatus()).isEqualTo("True");
          });
          String revision = s.getStableRevision();
          assertThat(agents).allSatisfy(a -> assertThat(a.policies()).anySatisfy(st -> {
            assertThat(st.name()).isEqualTo(name);
            assertThat(st.appliedRevision()).isEqualTo(revision);
          }));
        });
  }

  private static HttpResponse<String> get(Agent agent, String pathAndQuery) {
    try {
      return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + pathAndQuery))
          .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String xCache(HttpResponse<String> r) {
    return r.headers().firstValue("X-Cache").orElse("none");
  }
}

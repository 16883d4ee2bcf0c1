package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.count;
import static io.cacheplane.operator.it.Cluster.envelope;
import static io.cacheplane.operator.it.Cluster.isPublishedToNoAgents;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * 200 unchanged policies (120 CachePolicies, 80 RoutePolicies): a restarted operator (a full relist and reconcile of
 * everything) sends no POST, PUT, PATCH or DELETE at all; an edit after the relist is still processed (JOSDK#3416
 * guard).
 */
@EnableKubernetesMockClient(crud = true)
class QuiescenceIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final int CACHE_POLICIES = 120;
  private static final int ROUTE_POLICIES = 80;
  private static final Duration WAIT = Duration.ofSeconds(60);

  private boolean allReady() {
    List<CachePolicy> cps = client.resources(CachePolicy.class).inAnyNamespace().list().getItems();
    List<RoutePolicy> rps = client.resources(RoutePolicy.class).inAnyNamespace().list().getItems();
    return cps.size() == CACHE_POLICIES && rps.size() == ROUTE_POLICIES
        && cps.stream().allMatch(Cluster::isPublishedToNoAgents) && rps.stream().allMatch(Cluster::isPublishedToNoAgents);
  }

  @Test
  void restartOverUnchangedPoliciesWritesNothing() throws Exception {
    Cluster.registerCrds(client);
    for (int i = 0; i < CACHE_POLICIES; i++) {
      client.resource(Fixtures.cachePolicy("q" + (i % 2), "cache-" + i, 100 + i)).create();
    }
    for (int i = 0; i < ROUTE_POLICIES; i++) {
      client.resource(Fixtures.routePolicy("q" + (i % 2), "route-" + i, "cache-" + i, null)).create();
    }

    try (CacheplaneOperator first = CacheplaneOperator.start(client, OperatorSettings.defaults())) {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(200)).until(this::allReady);
      first.orphanCollectorSynced().get(10, TimeUnit.SECONDS);
    }
    Cluster.awaitResponsive(client);
    List<String> initial = Cluster.drainWrites(server);
    // the counting sees the first publish: 200 creates and at least 200 ConfigMap writes and 200 status patches
    assertThat(initial).hasSizeGreaterThanOrEqualTo(3 * (CACHE_POLICIES + ROUTE_POLICIES));

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long restarted = System.nanoTime();
    try (CacheplaneOperator second = CacheplaneOperator.start(client,
        OperatorSettings.defaults().withMeterRegistry(registry))) {
      second.orphanCollectorSynced().get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> count(registry, "reconciles", "result", "unchanged")
          >= CACHE_POLICIES + ROUTE_POLICIES);
      System.out.printf("quiescence: %d unchanged policies reconciled %d ms after the restart began%n",
          CACHE_POLICIES + ROUTE_POLICIES, Duration.ofNanos(System.nanoTime() - restarted).toMillis());
    } // close() waits for running reconciles, so every request they made is recorded now
    Cluster.awaitResponsive(client);

    List<String> afterRestart = Cluster.drainRequests(server);
    System.out.printf("quiescence: %d requests after the restart, by method: %s%n", afterRestart.size(),
        afterRestart.stream().collect(java.util.stream.Collectors.groupingBy(r -> r.substring(0, r.indexOf(' ')),
            java.util.TreeMap::new, java.util.stream.Collectors.counting())));
    assertThat(afterRestart).as("requests after the restart").isNotEmpty();
    assertThat(afterRestart).as("write requests after a restart over unchanged policies")
        .noneMatch(r -> r.startsWith("POST ") || r.startsWith("PUT ") || r.startsWith("PATCH ")
            || r.startsWith("DELETE "));
    assertThat(count(registry, "reconciles", "kind", "CachePolicy", "result", "unchanged"))
        .isGreaterThanOrEqualTo(CACHE_POLICIES);
    assertThat(count(registry, "reconciles", "kind", "RoutePolicy", "result", "unchanged"))
        .isGreaterThanOrEqualTo(ROUTE_POLICIES);
    assertThat(count(registry, "reconciles") - count(registry, "reconciles", "result", "unchanged")).isZero();
    assertThat(count(registry, "publishes")).isZero();

    try (CacheplaneOperator third = CacheplaneOperator.start(client, OperatorSettings.defaults())) {
      client.resources(CachePolicy.class).inNamespace("q1").withName("cache-1").edit(p -> {
        p.getSpec().getCache().setMaximumSize(5000L);
        return p;
      });
      await().atMost(WAIT).until(() -> {
        CachePolicy p = client.resources(CachePolicy.class).inNamespace("q1").withName("cache-1").get();
        return isPublishedToNoAgents(p) && p.getStatus().getSequence() == 2L;
      });
      CachePolicy p = client.resources(CachePolicy.class).inNamespace("q1").withName("cache-1").get();
      assertThat(envelope(Cluster.configMapOf(client, p)).sequence()).isEqualTo(2L);
    }
    Cluster.awaitResponsive(client); // let the mock server drain the closed watches before it is closed itself
  }
}

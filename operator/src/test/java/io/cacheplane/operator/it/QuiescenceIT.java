package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.count;
import static io.cacheplane.operator.it.Cluster.envelope;
import static io.cacheplane.operator.it.Cluster.isReady;
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
 * 100 unchanged policies: a restarted operator (a full relist and reconcile of everything) must not write
 * anything; an edit after the relist is still processed (JOSDK#3416 guard).
 */
@EnableKubernetesMockClient(crud = true)
class QuiescenceIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final int CACHE_POLICIES = 60;
  private static final int ROUTE_POLICIES = 40;
  private static final Duration WAIT = Duration.ofSeconds(30);

  private boolean allReady() {
    List<CachePolicy> cps = client.resources(CachePolicy.class).inAnyNamespace().list().getItems();
    List<RoutePolicy> rps = client.resources(RoutePolicy.class).inAnyNamespace().list().getItems();
    return cps.size() == CACHE_POLICIES && rps.size() == ROUTE_POLICIES
        && cps.stream().allMatch(Cluster::isReady) && rps.stream().allMatch(Cluster::isReady);
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
    // the counting sees the first publish: 100 creates and at least 100 ConfigMap writes and 100 status patches
    assertThat(initial).hasSizeGreaterThanOrEqualTo(3 * (CACHE_POLICIES + ROUTE_POLICIES));

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CacheplaneOperator second = CacheplaneOperator.start(client,
        OperatorSettings.defaults().withMeterRegistry(registry))) {
      second.orphanCollectorSynced().get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> count(registry, "reconciles", "result", "unchanged")
          >= CACHE_POLICIES + ROUTE_POLICIES);
    } // close() waits for running reconciles, so every request they made is recorded now
    Cluster.awaitResponsive(client);

    assertThat(Cluster.drainWrites(server)).as("write requests after a restart over unchanged policies").isEmpty();
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
        return isReady(p) && p.getStatus().getSequence() == 2L;
      });
      CachePolicy p = client.resources(CachePolicy.class).inNamespace("q1").withName("cache-1").get();
      assertThat(envelope(Cluster.configMapOf(client, p)).sequence()).isEqualTo(2L);
    }
  }
}

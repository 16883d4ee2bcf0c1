package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.e2e.LogCapture;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;

/**
 * Changes made while the agents are cut off from the API by a {@link FaultProxy} and the operator is not (a network
 * partition): they must reach the agents after reconnection, not before, and never out of order. They need an API
 * that replays the events a resumed watch missed (or answers 410 Gone so the informer relists), as a real apiserver
 * does; the fabric8 mock server does not (a resumed watch only sees later events), so they run against the real
 * kube-apiserver ({@link ApiServerOutageE2E}).
 */
final class PartitionScenarios {

  /** RoutePolicy deleted during the partition: {@code /api/legacy} to service {@value #LEGACY}, uncached. */
  static final String LEGACY = "legacy";
  static final Duration CONVERGE = Duration.ofSeconds(30);

  private PartitionScenarios() {}

  static RoutePolicy legacy() {
    return Fixtures.routes(LEGACY, Duration.ofSeconds(2), null, "/api/legacy", LEGACY);
  }

  /** Applies {@link #legacy()} and waits until every agent serves it. */
  static void applyLegacy(KubernetesClient admin, String ns, List<Agent> agents) {
    Fixtures.apply(admin, ns, legacy());
    String revision = Fixtures.awaitStable(admin, ns, ROUTE, LEGACY, CONVERGE);
    Fixtures.awaitServing(agents, ROUTE, LEGACY, revision, CONVERGE);
  }

  /**
   * Scenario 2: {@link #legacy()} (applied and served) is deleted while the agents are cut off; it keeps serving
   * (zero failed requests) until they reconnect, then it is removed from every agent.
   *
   * @return the summary line
   */
  static String deletedDuringPartition(KubernetesClient admin, String ns, List<Agent> agents, FaultProxy proxy) {
    for (Agent a : agents) {
      assertThat(Fixtures.get(a, "/api/legacy/x").statusCode()).isEqualTo(200);
    }
    Traffic traffic = Traffic.start(agents.stream().map(Agent::trafficPort).toList(),
        n -> n % 2 == 0 ? "/api/legacy/n" + n : OutageDrill.HOT, () -> agents.stream().allMatch(Agent::ready), 2, 50);
    Traffic.Snapshot duringCut;
    try {
      proxy.cut();
      await("no agent watches").atMost(CONVERGE).pollInterval(Fixtures.POLL)
          .until(() -> agents.stream().noneMatch(Fixtures::watching));
      admin.resources(RoutePolicy.class).inNamespace(ns).withName(LEGACY).delete();
      String cm = ConfigMapNames.configMapName(ROUTE, LEGACY);
      await("the policy's ConfigMap is deleted").atMost(CONVERGE).pollInterval(Fixtures.POLL)
          .until(() -> admin.configMaps().inNamespace(ns).withName(cm).get() == null);
      Traffic.Snapshot atDelete = traffic.snapshot();
      await("the deleted policy keeps serving while the agents are cut off").during(Duration.ofSeconds(3))
          .atMost(Duration.ofSeconds(8)).pollInterval(Fixtures.POLL)
          .until(() -> traffic.snapshot().failed() == 0
              && agents.stream().allMatch(a -> Fixtures.serving(a, ROUTE, LEGACY) != null));
      duringCut = traffic.stop().since(atDelete);
    } finally {
      traffic.stop();
    }
    assertThat(duringCut.failed()).as(duringCut.failures().toString()).isZero();
    assertThat(duringCut.answered()).isPositive();

    proxy.restore();
    long restoredAt = System.nanoTime();
    await("removed from every agent after reconnection").atMost(CONVERGE).pollInterval(Duration.ofMillis(20))
        .until(() -> agents.stream().allMatch(a -> Fixtures.serving(a, ROUTE, LEGACY) == null));
    long removalMs = Duration.ofNanos(System.nanoTime() - restoredAt).toMillis();
    for (Agent a : agents) {
      assertThat(Fixtures.get(a, "/api/legacy/x").statusCode()).as("no route any more").isEqualTo(404);
      assertThat(Fixtures.xCache(Fixtures.get(a, OutageDrill.HOT))).as("other policies untouched").isEqualTo("HIT");
    }
    return ScenarioSummary.of("deleted-during-outage").put("fault", proxy.name())
        .traffic(duringCut).put("servedUntilReconnect", "yes").put("removedAfterReconnectMs", removalMs).print();
  }

  /**
   * Scenario 3: a new revision of {@link Fixtures#pages} published while the agents are cut off is served by none of
   * them until they reconnect, then by all; a ConfigMap written back by hand with the older envelope (lower sequence)
   * is ignored by every agent ({@code logs} must capture the agents' log).
   *
   * @return the summary line
   */
  static String newerWinsAndOlderNeverApplied(KubernetesClient admin, String ns, List<Agent> agents, FaultProxy proxy,
      LogCapture logs) {
    String cmName = ConfigMapNames.configMapName(CACHE, PAGES);
    String revisionA = Fixtures.awaitStable(admin, ns, CACHE, PAGES, CONVERGE);
    Fixtures.awaitServing(agents, CACHE, PAGES, revisionA, CONVERGE);
    ConfigMap before = admin.configMaps().inNamespace(ns).withName(cmName).get();
    String olderEnvelope = before.getData().get(Envelope.DATA_KEY);
    long sizeA = agents.get(0).cache(PAGES).maximum();

    proxy.cut();
    await("no agent watches").atMost(CONVERGE).pollInterval(Fixtures.POLL)
        .until(() -> agents.stream().noneMatch(Fixtures::watching));
    Fixtures.apply(admin, ns, Fixtures.pages((int) sizeA + 1000));
    String[] revisionB = new String[1];
    // Published, not Ready: the cut-off agents cannot acknowledge it, and once their Leases expire the operator sees
    // no live agent (NoMatchingAgents) and completes the rollout at once.
    await("the operator publishes the new revision").atMost(CONVERGE).pollInterval(Fixtures.POLL).until(() -> {
      revisionB[0] = Fixtures.publishedRevision(admin, ns, CACHE, PAGES);
      return revisionB[0] != null && !revisionA.equals(revisionB[0]);
    });
    await("cut-off agents keep revision A").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6))
        .pollInterval(Fixtures.POLL)
        .until(() -> agents.stream().allMatch(a -> revisionA.equals(Fixtures.serving(a, CACHE, PAGES))));

    proxy.restore();
    long convergenceMs = Fixtures.awaitServing(agents, CACHE, PAGES, revisionB[0], CONVERGE);
    for (Agent a : agents) {
      assertThat(a.cache(PAGES).maximum()).isEqualTo(sizeA + 1000);
    }

    int staleLinesBefore = logs.lines(l -> l.contains("ignoring sequence")).size();
    admin.configMaps().inNamespace(ns).withName(cmName).edit(cm -> new ConfigMapBuilder(cm)
        .addToData(Envelope.DATA_KEY, olderEnvelope).build());
    await("every agent saw the older sequence and ignored it").atMost(CONVERGE).pollInterval(Fixtures.POLL)
        .until(() -> logs.lines(l -> l.contains("ignoring sequence")).size() - staleLinesBefore >= agents.size());
    await("agents keep the newer revision").during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(6))
        .pollInterval(Fixtures.POLL)
        .until(() -> agents.stream().allMatch(a -> revisionB[0].equals(Fixtures.serving(a, CACHE, PAGES))
            && a.cache(PAGES).maximum() == sizeA + 1000));
    return ScenarioSummary.of("newer-revision-during-outage").put("fault", proxy.name())
        .put("newerServedAfterReconnectMs", convergenceMs).put("olderSequenceApplied", "never").print();
  }
}

package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static io.cacheplane.faults.Fixtures.SHOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;

/**
 * The API-outage drill, the same against the mock server behind a {@link FaultProxy} and against the real
 * kube-apiserver: traffic runs through the whole outage, the API is cut and held away, given back, and then a policy
 * change must reach every agent. Scenarios that need more during the outage (an agent restart, an upstream fault)
 * pass an {@link #duringOutage} step; everything else is shared.
 *
 * <p>Needs {@link Fixtures#pages} and {@link Fixtures#shop()} applied and served by every agent before {@link #run}.
 */
final class OutageDrill {

  /**
   * What the drill runs against.
   *
   * @param admin writes policies (not behind the fault when it is a proxy: the operator and the user still reach the
   *     API, only the agents are cut off)
   * @param agents the agents under test, all cut off by {@code fault}
   */
  record Target(KubernetesClient admin, String namespace, List<Agent> agents, ApiFault fault) {}

  /** A step run while the API is cut, after the hold began (e.g. restart an agent); it may assert. */
  interface Step {
    void run(Target target) throws Exception;
  }

  /** The hot key every agent has cached before the outage. */
  static final String HOT = "/api/products?page=hot";
  /** The n-th request of the drill's traffic: a hit, a miss (a new key, so the upstream), an uncached route. */
  static final LongFunction<String> MIX = n -> switch ((int) (n % 3)) {
    case 0 -> HOT;
    case 1 -> "/api/products?page=m" + n;
    default -> "/api/cart";
  };

  private final Target target;
  private Duration hold = Duration.ofSeconds(5);
  private Duration converge = Duration.ofSeconds(30);
  private Step duringOutage = t -> { };
  private Step outageProof = t -> { };

  private OutageDrill(Target target) {
    this.target = target;
  }

  static OutageDrill on(Target target) {
    return new OutageDrill(target);
  }

  /** How long the API stays away while traffic runs (default 5 s). */
  OutageDrill hold(Duration d) {
    this.hold = d;
    return this;
  }

  /** Bound of the convergence of the change made after the outage (default 30 s). */
  OutageDrill converge(Duration d) {
    this.converge = d;
    return this;
  }

  /** Asserts the outage is real (e.g. the proxy refused an agent's reconnection), at the end of the hold. */
  OutageDrill outageProof(Step s) {
    this.outageProof = s;
    return this;
  }

  /** Runs while the API is away, right after the cut (traffic keeps running and must not fail). */
  OutageDrill duringOutage(Step s) {
    this.duringOutage = s;
    return this;
  }

  /**
   * Runs the drill and prints its summary ({@code scenario} names it).
   *
   * @return the summary line
   */
  String run(String scenario) throws Exception {
    List<Agent> agents = target.agents();
    for (Agent a : agents) {
      Fixtures.get(a, HOT); // warm: the hot key is cached on every agent before the outage
      assertThat(Fixtures.xCache(Fixtures.get(a, HOT))).as("hot key cached on " + a.settings().agentId())
          .isEqualTo("HIT");
    }
    String routeRevision = Fixtures.serving(agents.get(0), ROUTE, SHOP);
    double[] routeApplies = agents.stream().mapToDouble(a -> Fixtures.applies(a, ROUTE, SHOP)).toArray();
    double[] cacheApplies = agents.stream().mapToDouble(a -> Fixtures.applies(a, CACHE, PAGES)).toArray();
    long[] incarnations = agents.stream().mapToLong(a -> a.cache(PAGES).incarnation()).toArray();
    long maximum = agents.get(0).cache(PAGES).maximum();

    Traffic traffic = Traffic.start(agents.stream().map(Agent::trafficPort).toList(), MIX,
        () -> agents.stream().allMatch(Agent::ready), 4, 50);
    try {
      await("traffic flows").atMost(Duration.ofSeconds(10)).until(() -> traffic.snapshot().answered() >= 20);
      Traffic.Snapshot beforeCut = traffic.snapshot();
      long cutAt = System.nanoTime();
      target.fault().cut();
      long cutMs = Duration.ofNanos(System.nanoTime() - cutAt).toMillis();
      duringOutage.run(target);
      await("no failed request while the API is away").during(hold).atMost(hold.plusSeconds(5))
          .pollInterval(Fixtures.POLL).until(() -> traffic.snapshot().failed() == beforeCut.failed());
      outageProof.run(target);
      assertThat(agents).as("no agent watches while the API is away").noneMatch(Fixtures::watching);
      Traffic.Snapshot duringCut = traffic.snapshot().since(beforeCut);
      for (Agent a : agents) {
        assertThat(Fixtures.serving(a, ROUTE, SHOP)).as("route revision during the outage").isEqualTo(routeRevision);
      }

      long restoreAt = System.nanoTime();
      target.fault().restore();
      long restoreMs = Duration.ofNanos(System.nanoTime() - restoreAt).toMillis();
      java.time.Instant restoredAt = java.time.Instant.now();
      long outageMs = Duration.ofNanos(System.nanoTime() - cutAt).toMillis();
      for (Agent a : agents) {
        assertThat(Fixtures.xCache(Fixtures.get(a, HOT))).as("right after reconnection, the cache was kept on "
            + a.settings().agentId()).isEqualTo("HIT");
      }
      // Every agent reconnects (Lease written again, ConfigMap watch open) before re-applies are counted: a relist
      // replays every ConfigMap. The fabric8 mock server does not replay the events of a resumed watch, so a change
      // made before the watch is back would be lost there (a real apiserver replays it).
      await("every agent writes its Lease and watches again").atMost(converge).pollInterval(Fixtures.POLL)
          .ignoreExceptions().until(() -> agents.stream().allMatch(a -> Fixtures.watching(a)
              && leaseRenewedAfter(a, restoredAt)));
      long reconnectMs = Duration.between(restoredAt, java.time.Instant.now()).toMillis();
      for (int i = 0; i < agents.size(); i++) {
        Agent a = agents.get(i);
        assertThat(Fixtures.applies(a, ROUTE, SHOP)).as("unchanged RoutePolicy not re-applied").isEqualTo(routeApplies[i]);
        assertThat(Fixtures.applies(a, CACHE, PAGES)).as("unchanged CachePolicy not re-applied")
            .isEqualTo(cacheApplies[i]);
        assertThat(a.cache(PAGES).incarnation()).as("cache not rebuilt").isEqualTo(incarnations[i]);
      }

      long changedAt = System.nanoTime();
      Fixtures.apply(target.admin(), target.namespace(), Fixtures.pages((int) maximum + 1));
      await("the change made after reconnection reaches every agent").atMost(converge).pollInterval(Duration.ofMillis(20))
          .until(() -> agents.stream().allMatch(a -> a.cache(PAGES).maximum() == maximum + 1));
      long convergenceMs = Duration.ofNanos(System.nanoTime() - changedAt).toMillis();
      for (int i = 0; i < agents.size(); i++) {
        assertThat(Fixtures.applies(agents.get(i), CACHE, PAGES)).as("the change applied once")
            .isEqualTo(cacheApplies[i] + 1);
        assertThat(Fixtures.xCache(Fixtures.get(agents.get(i), HOT))).as("retuned in place, entries kept")
            .isEqualTo("HIT");
      }

      Traffic.Snapshot total = traffic.stop();
      assertThat(duringCut.failed()).as("failed during the outage: " + duringCut.failures()).isZero();
      assertThat(duringCut.hits()).as("hits during the outage").isPositive();
      assertThat(duringCut.misses()).as("misses (upstream calls) during the outage").isPositive();
      assertThat(total.failed()).as("failed: " + total.failures()).isZero();
      assertThat(total.answered()).as("every request answered").isEqualTo(total.sent());
      assertThat(total.unhealthy()).as("health samples DOWN").isZero();
      return ScenarioSummary.of(scenario).put("fault", target.fault().name()).put("agents", agents.size())
          .traffic(total).put("duringOutage", "{" + duringCut.counts() + "}")
          .put("outageMs", outageMs).put("cutMs", cutMs).put("restoreMs", restoreMs)
          .put("hitAfterReconnect", "yes").put("reconnectMs", reconnectMs).put("reapplied", 0)
          .put("convergenceMs", convergenceMs).print();
    } finally {
      traffic.stop();
    }
  }

  /** Whether the agent renewed its Lease after {@code instant} (the agent writes renewTime with this JVM's clock). */
  private boolean leaseRenewedAfter(Agent a, java.time.Instant instant) {
    var lease = target.admin().leases().inNamespace(target.namespace())
        .withName(io.cacheplane.api.contract.AgentLeases.leaseName(a.settings().agentId())).get();
    return lease != null && lease.getSpec().getRenewTime() != null
        && lease.getSpec().getRenewTime().toInstant().isAfter(instant);
  }
}

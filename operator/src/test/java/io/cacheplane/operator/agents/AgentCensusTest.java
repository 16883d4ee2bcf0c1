package io.cacheplane.operator.agents;

import static io.cacheplane.operator.agents.AgentDirectoryTest.lease;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Live and stale agents as the operator counts them, and the gauge {@code cacheplane_operator_agents{state}}. */
class AgentCensusTest {

  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  private final LeaseLiveness liveness = new LeaseLiveness(clock);
  private final Set<String> pods = new HashSet<>(Set.of("a", "b", "c"));
  private final AtomicBoolean podsReady = new AtomicBoolean(true);
  private final AgentCensus census = new AgentCensus(liveness, new AgentDirectory.Pods() {
    @Override public boolean exists(String namespace, String name, String uid) {
      return pods.contains(name);
    }
    @Override public boolean ready() {
      return podsReady.get();
    }
  }, clock);

  @Test
  void leasesUnchangedForLongerThanTheirDurationAreStaleByTheOperatorsClock() {
    liveness.observe(lease("a", "1", "agent", "1", null));
    liveness.observe(lease("b", "1", "agent", "1", null));
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(2, 0));

    now.set(T0.plusSeconds(8));
    liveness.observe(lease("b", "2", "agent", "1", null)); // b renews; a does not
    now.set(T0.plusSeconds(11)); // past a's 10 s lease duration
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(1, 1));

    liveness.observe(lease("a", "1", "agent", "1", null)); // the same version again is no renew
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(1, 1));
    liveness.observe(lease("a", "2", "agent", "1", null));
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(2, 0));
  }

  @Test
  void leasesWithoutTheirPodAndDeletedLeasesAreNotCounted() {
    Lease c = lease("c", "1", "agent", "1", null);
    liveness.observe(lease("a", "1", "agent", "1", null));
    liveness.observe(c);
    liveness.observe(lease("ghost", "1", "agent", "1", null));
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(2, 0));
    liveness.forget(c);
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(1, 0));
  }

  @Test
  void nothingIsCountedWhileThePodCacheIsNotReady() {
    liveness.observe(lease("a", "1", "agent", "1", null));
    now.set(T0.plusSeconds(60));
    podsReady.set(false);
    assertThat(census.count()).isEqualTo(new AgentCensus.Counts(0, 0));
  }

  @Test
  void theGaugeReadsTheCensusAtEveryScrapeAndABoundCensusIsReplaced() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OperatorMetrics metrics = new OperatorMetrics(registry);
    metrics.bindAgents(census);
    liveness.observe(lease("a", "1", "agent", "1", null));
    assertThat(gauge(registry, "live")).isEqualTo(1);
    assertThat(gauge(registry, "stale")).isZero();
    now.set(T0.plusSeconds(11));
    assertThat(gauge(registry, "live")).isZero();
    assertThat(gauge(registry, "stale")).isEqualTo(1);

    OperatorMetrics restarted = new OperatorMetrics(registry);
    restarted.bindAgents(new AgentCensus(new LeaseLiveness(clock), (ns, name, uid) -> true, clock));
    assertThat(gauge(registry, "stale")).as("the new census").isZero();
    metrics.unbindAgents();
    assertThat(registry.find("cacheplane.operator.agents").gauges()).as("the old one removes nothing new").hasSize(2);
    restarted.unbindAgents();
    assertThat(registry.find("cacheplane.operator.agents").gauges()).isEmpty();
  }

  private static double gauge(SimpleMeterRegistry registry, String state) {
    return registry.get("cacheplane.operator.agents").tag("state", state).gauge().value();
  }
}

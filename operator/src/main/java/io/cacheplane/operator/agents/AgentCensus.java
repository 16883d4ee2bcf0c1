package io.cacheplane.operator.agents;

import io.cacheplane.api.contract.AgentLeases;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * How many agents the operator counts as live and as stale across its watched namespaces, by the same rules as
 * {@link AgentDirectory} without a policy's selector: an agent Lease whose Pod exists, judged by {@link LeaseLiveness}
 * (the operator's own clock, never the agent's {@code renewTime}). Leases whose Pod is gone are not counted (the
 * garbage collector deletes them with the Pod). Feeds the gauge {@code cacheplane_operator_agents{state}}
 * ({@link io.cacheplane.operator.metrics.OperatorMetrics#bindAgents}).
 */
public final class AgentCensus {

  /** Agents by state. */
  public record Counts(int live, int stale) {}

  private final LeaseLiveness liveness;
  private final AgentDirectory.Pods pods;
  private final Clock clock;

  /**
   * @param liveness the liveness memory the Lease informers feed
   * @param pods Pod existence
   * @param clock the operator's clock
   */
  public AgentCensus(LeaseLiveness liveness, AgentDirectory.Pods pods, Clock clock) {
    this.liveness = Objects.requireNonNull(liveness, "liveness");
    this.pods = Objects.requireNonNull(pods, "pods");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The counts now; both 0 while the Pod cache is not ready (nothing can be judged then). */
  public Counts count() {
    if (!pods.ready()) {
      return new Counts(0, 0);
    }
    Instant now = clock.instant();
    int live = 0;
    int stale = 0;
    for (Lease lease : liveness.known()) {
      Map<String, String> annotations = lease.getMetadata().getAnnotations() == null ? Map.of()
          : lease.getMetadata().getAnnotations();
      String pod = AgentDirectory.podName(lease, AgentLeases.decode(annotations.get(AgentLeases.REPORT_ANNOTATION)));
      if (pod == null || !pods.exists(lease.getMetadata().getNamespace(), pod, AgentDirectory.podUid(lease))) {
        continue;
      }
      if (now.isAfter(liveness.expiry(lease))) {
        stale++;
      } else {
        live++;
      }
    }
    return new Counts(live, stale);
  }
}

package io.cacheplane.operator.metrics;

import io.cacheplane.operator.agents.AgentCensus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The operator's meters, bound to Micrometer directly. Labels are bounded: {@code kind} is {@code CachePolicy} or
 * {@code RoutePolicy}; {@code result} is one of {@code published}, {@code unchanged}, {@code invalid_spec},
 * {@code cache_policy_not_found}, {@code payload_too_large}, {@code publish_failed}, {@code configmap_conflict} (the
 * ConfigMap's name is taken by one that is not ours), {@code conflict} (a write lost an optimistic-locking race).
 * Prometheus names:
 * <ul>
 *   <li>{@code cacheplane_operator_reconciles_total{kind,result}}: reconciles by outcome;</li>
 *   <li>{@code cacheplane_operator_reconcile_duration_seconds{kind}}: reconcile time (summary);</li>
 *   <li>{@code cacheplane_operator_publishes_total{kind}}: envelopes written (ConfigMap create/update);</li>
 *   <li>{@code cacheplane_operator_envelope_size_bytes{kind}}: size of written envelopes (summary);</li>
 *   <li>{@code cacheplane_operator_invalid_specs_total{kind}}: invalid specs recorded in status (once per
 *       generation or new violation list, not per resync);</li>
 *   <li>{@code cacheplane_operator_orphans_deleted_total{kind}}: ConfigMaps deleted because their policy is gone;</li>
 *   <li>{@code cacheplane_operator_rollout_transitions_total{kind,transition}}: rollout transitions; {@code transition}
 *       is one of {@code rollout_started}, {@code step_advanced}, {@code steps_changed}, {@code promoted},
 *       {@code promoted_full}, {@code rollout_completed}, {@code superseded}, {@code reverted}, {@code paused},
 *       {@code resumed}, {@code aborted}, {@code retried}, {@code rolled_back}, {@code converged};</li>
 *   <li>{@code cacheplane_operator_rollbacks_total{kind,reason}}: automatic rollbacks, {@code reason} one of
 *       {@code nack} (an agent rejected the canary), {@code analysis} (error rate), {@code progress_deadline} (no ACK
 *       in time) — alert on this one;</li>
 *   <li>{@code cacheplane_operator_convergence_seconds{kind}}: seconds from the first publish of a revision until every
 *       live matched agent served it (summary);</li>
 *   <li>{@code cacheplane_operator_agents{state}}: agents by {@code state}, {@code live} or {@code stale} (Lease
 *       unchanged for longer than its duration, by the operator's clock), across the watched namespaces (a gauge, unit
 *       agents; see {@link AgentCensus}). No {@code namespace} label: it would clash with the target label Prometheus
 *       adds; the per-policy count is in each policy's {@code status.agents.stale}.</li>
 * </ul>
 */
public final class OperatorMetrics {

  private static final String PREFIX = "cacheplane.operator.";

  private static final String AGENTS = PREFIX + "agents";

  private final MeterRegistry registry;
  private final List<Gauge> agentGauges = new ArrayList<>();

  /** @param registry where the meters are registered (never null) */
  public OperatorMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Records one reconcile of a {@code kind} with its {@code result} label, and how long it took. */
  public void reconciled(String kind, String result, Duration took) {
    Counter.builder(PREFIX + "reconciles").description("Reconciles by outcome")
        .tag("kind", kind).tag("result", result).register(registry).increment();
    Timer.builder(PREFIX + "reconcile.duration").description("Time spent in one reconcile")
        .tag("kind", kind).register(registry).record(took);
  }

  /** Records one envelope written, of {@code sizeBytes} bytes. */
  public void published(String kind, int sizeBytes) {
    Counter.builder(PREFIX + "publishes").description("Envelopes written to ConfigMaps")
        .tag("kind", kind).register(registry).increment();
    DistributionSummary.builder(PREFIX + "envelope.size").baseUnit("bytes").description("Size of written envelopes")
        .tag("kind", kind).register(registry).record(sizeBytes);
  }

  /** Records an invalid spec that was newly written into status. */
  public void invalidSpec(String kind) {
    Counter.builder(PREFIX + "invalid.specs").description("Invalid specs recorded in status")
        .tag("kind", kind).register(registry).increment();
  }

  /** Records an orphaned ConfigMap deleted by the orphan collector. */
  public void orphanDeleted(String kind) {
    Counter.builder(PREFIX + "orphans.deleted").description("Policy ConfigMaps deleted after their policy")
        .tag("kind", kind).register(registry).increment();
  }

  /** Records one rollout transition ({@code transition} is a {@code Transition.label()}). */
  public void transition(String kind, String transition) {
    Counter.builder(PREFIX + "rollout.transitions").description("Rollout transitions")
        .tag("kind", kind).tag("transition", transition).register(registry).increment();
  }

  /** Records one automatic rollback ({@code reason}: nack, analysis, progress_deadline). */
  public void rollback(String kind, String reason) {
    Counter.builder(PREFIX + "rollbacks").description("Automatic rollbacks of canary revisions")
        .tag("kind", kind).tag("reason", reason).register(registry).increment();
  }

  /** Records the convergence time of a promoted revision. */
  public void convergence(String kind, long seconds) {
    DistributionSummary.builder(PREFIX + "convergence").baseUnit("seconds")
        .description("Seconds from the first publish of a revision until every agent served it")
        .tag("kind", kind).register(registry).record(seconds);
  }

  /**
   * Registers the gauges {@code cacheplane_operator_agents{state="live"}} and {@code {state="stale"}}, read from
   * {@code census} at every scrape. A census bound earlier to the same registry (an operator restarted in the same
   * process) is replaced.
   */
  public synchronized void bindAgents(AgentCensus census) {
    Objects.requireNonNull(census, "census");
    registry.find(AGENTS).meters().forEach(registry::remove);
    agentGauges.clear();
    agentGauges.add(Gauge.builder(AGENTS, census, c -> c.count().live())
        .description("Agents with a live Lease (operator's clock)").tag("state", "live").strongReference(true)
        .register(registry));
    agentGauges.add(Gauge.builder(AGENTS, census, c -> c.count().stale())
        .description("Agents whose Lease expired (operator's clock)").tag("state", "stale").strongReference(true)
        .register(registry));
  }

  /** Removes the gauges {@link #bindAgents} registered (when no later census replaced them). */
  public synchronized void unbindAgents() {
    for (Gauge g : agentGauges) {
      if (registry.find(AGENTS).tags(g.getId().getTags()).gauge() == g) {
        registry.remove(g);
      }
    }
    agentGauges.clear();
  }

  /** The registry the meters live in. */
  public MeterRegistry registry() {
    return registry;
  }
}

package io.cacheplane.operator.reconcile;

import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.agents.AgentDirectory;
import io.cacheplane.operator.events.RolloutEvents;
import io.cacheplane.operator.metrics.OperatorMetrics;
import io.cacheplane.operator.render.EnvelopeRenderer;
import io.cacheplane.operator.render.PolicyRef;
import io.cacheplane.operator.rollout.Controls;
import io.cacheplane.operator.rollout.RolloutDecision;
import io.cacheplane.operator.rollout.RolloutEngine;
import io.cacheplane.operator.rollout.RolloutInput;
import io.cacheplane.operator.rollout.Strategy;
import io.cacheplane.operator.rollout.Transition;
import io.cacheplane.operator.status.Messages;
import io.cacheplane.operator.status.RolloutStatus;
import io.cacheplane.operator.status.SelectorText;
import io.cacheplane.operator.status.Outcome;
import io.cacheplane.operator.status.Outcome.Result;
import io.cacheplane.operator.status.StatusDecisions;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The reconcile steps both policy kinds share, after validation: read the ConfigMap and the agent Leases, let the
 * rollout state machine choose the revisions ({@link RolloutEngine}), plan ({@link PublishPlanner}), write the
 * ConfigMap if the plan says so, decide the status ({@link StatusDecisions}) and patch it only if it changed; then
 * record the rollout's transitions (Events, metrics) and reschedule for its timers (never sleep).
 * Expected failures end in status, not in exceptions: a stale cache (409/404 on write) reschedules quietly, any
 * other API refusal becomes {@code PublishFailed} with an explicit reschedule (JOSDK's retry budget stays unused).
 * A {@code ConfigMapConflict} (the name is taken by a ConfigMap that is not ours) writes nothing and watches that
 * ConfigMap ({@link ConfigMapConflictWatch}), so its change or deletion reconciles the policy at once.
 */
public final class PolicyPipeline {

  /** Delay before trying again after a write lost a race with another writer. */
  static final Duration CONFLICT_DELAY = Duration.ofSeconds(1);
  /** Delay before trying again after the API server refused a write. */
  static final Duration FAILURE_DELAY = Duration.ofSeconds(30);
  /** Safety net while in {@code ConfigMapConflict}, should the watch on the blocking ConfigMap miss an event. */
  static final Duration CONFLICT_RECHECK = Duration.ofMinutes(5);

  /**
   * Follow-up after a status patch: JOSDK 5.3.2 takes an update of the policy that lands between this reconcile's read
   * and its status patch (e.g. a control annotation or a spec edit) as already seen (its resourceVersion is older than
   * the patched one) and triggers nothing for it. A second look shortly after every status change reads the latest
   * policy (JOSDK's cache holds the patch response, which includes that update) and acts on it. 2 s, or
   * {@code maxTimerDelay} when shorter.
   */
  static final Duration RECHECK_AFTER_STATUS_CHANGE = Duration.ofSeconds(2);

  /** Shortest reschedule for a timer that is due (or a second away): 1 s. */
  static final Duration MIN_TIMER_DELAY = Duration.ofSeconds(1);

  private final Clock clock;
  private final OperatorMetrics metrics;
  private final RolloutEngine rollout;
  private final AgentDirectory agents;
  private final RolloutEvents events;
  private final RolloutStrategy defaultStrategy;
  private final Duration maxTimerDelay;

  /**
   * @param clock the operator's clock (condition flips, rollout timers, liveness)
   * @param metrics where outcomes are counted
   * @param rollout the rollout state machine
   * @param agents the agents' Leases as the state machine sees them
   * @param events where rollout transitions are recorded as Kubernetes Events
   * @param defaultStrategy the strategy of policies without {@code spec.rollout}
   * @param maxTimerDelay longest reschedule while a rollout runs ({@code OperatorSettings.maxTimerDelay})
   */
  public PolicyPipeline(Clock clock, OperatorMetrics metrics, RolloutEngine rollout, AgentDirectory agents,
      RolloutEvents events, RolloutStrategy defaultStrategy, Duration maxTimerDelay) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.rollout = Objects.requireNonNull(rollout, "rollout");
    this.agents = Objects.requireNonNull(agents, "agents");
    this.events = Objects.requireNonNull(events, "events");
    this.defaultStrategy = Objects.requireNonNull(defaultStrategy, "defaultStrategy");
    this.maxTimerDelay = Objects.requireNonNull(maxTimerDelay, "maxTimerDelay");
  }

  /** The agent directory (its liveness memory is fed by the Lease event sources). */
  public AgentDirectory agents() {
    return agents;
  }

  /**
   * Runs the shared steps for one policy.
   *
   * @param policy the primary (a copy JOSDK made for this reconcile; its status is replaced on a patch)
   * @param context the JOSDK context (gives the ConfigMap cache and the client)
   * @param spec the policy's spec
   * @param violations the validation result
   * @param missingReferences dangling CachePolicy references (RoutePolicy only)
   * @return {@code noUpdate} when nothing changed, else {@code patchStatus}; with a reschedule after a failure and
   *     while in {@code ConfigMapConflict} (a safety net: the watch on the blocking ConfigMap reacts first)
   */
  public <P extends CustomResource<? extends PolicySpec, PolicyStatus>> UpdateControl<P> run(P policy,
      Context<P> context, PolicySpec spec, List<Violation> violations, List<String> missingReferences) {
    long started = System.nanoTime();
    PolicyRef ref = PolicyRef.of(policy);
    if (!agents.ready() || !AgentLeaseSource.running(context)) {
      // stopping, or the caches are not there yet: an empty view of the agents must never drive a decision
      return UpdateControl.<P>noUpdate().rescheduleAfter(CONFLICT_DELAY);
    }
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    ConfigMap existing = PolicyConfigMaps.current(context, ref);
    Instant now = clock.instant();
    RolloutDecision[] decided = new RolloutDecision[1];
    Instant[] nextExpiry = new Instant[1];
    PublishPlanner.TargetChooser chooser = (candidate, published) -> {
      AgentDirectory.Agents matched = agents.forPolicy(AgentLeaseSource.leases(context, ref.namespace()), ref.kind(),
          ref.name(), ref.uid(), spec.getAgentSelector(), now);
      RolloutInput input = new RolloutInput(candidate, published.stable(), published.canary(), published.sequence(),
          RolloutStatus.read(policy.getStatus()), Strategy.resolve(spec.getRollout(), defaultStrategy),
          Boolean.TRUE.equals(spec.getPaused()), Controls.fromAnnotations(policy.getMetadata().getAnnotations()),
          matched.live(), matched.stale(), matched.outdated(), now, SelectorText.of(spec.getAgentSelector()));
      decided[0] = rollout.decide(input);
      nextExpiry[0] = matched.nextExpiry();
      return decided[0].target();
    };

    PublishPlanner.Plan plan = PublishPlanner.plan(new PublishPlanner.Input(ref, generation, spec,
        policy.getStatus(), existing, violations, missingReferences,
        uid -> PolicyConfigMaps.policyExists(context, ref.namespace(), uid)), chooser,
        EnvelopeRenderer.MAX_ENVELOPE_BYTES);
    ConfigMapConflictWatch<P> conflicts = PolicyConfigMaps.conflicts(context);
    if (plan.isConflict()) {
      conflicts.watch(ResourceID.fromResource(policy), existing.getMetadata().getName(),
          existing.getMetadata().getResourceVersion());
    } else {
      conflicts.unwatch(ResourceID.fromResource(policy));
    }
    Outcome outcome = plan.outcome();
    String result = plan.toWrite() == null && outcome.result().isSuccess() ? "unchanged" : outcome.result().metricLabel();
    if (plan.toWrite() != null) {
      try {
        PolicyConfigMaps.write(context, plan.toWrite().configMap(), existing);
        metrics.published(ref.kind(), plan.toWrite().sizeBytes());
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409 || e.getCode() == 404) {
          metrics.reconciled(ref.kind(), "conflict", since(started));
          return UpdateControl.<P>noUpdate().rescheduleAfter(CONFLICT_DELAY);
        }
        outcome = plan.failed(e.getCode() + " " + Messages.bounded(e.getMessage()));
        result = outcome.result().metricLabel();
      }
    }

    RolloutDecision decision = outcome.result().isSuccess() ? decided[0] : null;
    PolicyStatus next = StatusDecisions.next(policy.getStatus(), generation, outcome, decision, now);
    if (decision != null) {
      record(ref, decision);
    }
    metrics.reconciled(ref.kind(), result, since(started));
    boolean changed = !next.equals(policy.getStatus());
    if (changed && outcome.result() == Result.INVALID_SPEC) {
      metrics.invalidSpec(ref.kind());
    }
    UpdateControl<P> control;
    if (changed) {
      policy.setStatus(next);
      control = UpdateControl.patchStatus(policy);
    } else {
      control = UpdateControl.noUpdate();
    }
    return switch (outcome.result()) {
      case PUBLISH_FAILED -> control.rescheduleAfter(FAILURE_DELAY);
      case CONFIG_MAP_CONFLICT -> control.rescheduleAfter(CONFLICT_RECHECK);
      default -> {
        Duration delay = decision == null ? null : timer(decision, nextExpiry[0]);
        if (changed) {
          Duration recheck = RECHECK_AFTER_STATUS_CHANGE.compareTo(maxTimerDelay) < 0 ? RECHECK_AFTER_STATUS_CHANGE
              : maxTimerDelay;
          delay = delay == null || recheck.compareTo(delay) < 0 ? recheck : delay;
        }
        yield delay == null ? control : control.rescheduleAfter(delay);
      }
    };
  }

  /** Events and metrics for the decision's transitions. */
  private void record(PolicyRef ref, RolloutDecision decision) {
    for (Transition.Event e : decision.transitions()) {
      metrics.transition(ref.kind(), e.transition().label());
      if (e.rollbackReason() != null) {
        metrics.rollback(ref.kind(), e.rollbackReason());
      }
      events.emit(ref, e);
    }
    if (decision.convergedSeconds() != null) {
      metrics.convergence(ref.kind(), decision.convergedSeconds());
    }
  }

  /**
   * When to reconcile again without an event: at the decision's next timer; just after the first live agent's Lease
   * would expire (a dead agent sends no event); and at most {@link #maxTimerDelay} later while a rollout runs or waits.
   * Never for a settled policy without agents.
   */
  private Duration timer(RolloutDecision decision, Instant nextExpiry) {
    Duration delay = null;
    for (Instant at : new Instant[] {decision.wakeAt(), nextExpiry == null ? null : nextExpiry.plusSeconds(1)}) {
      if (at == null) {
        continue;
      }
      Duration d = Duration.between(clock.instant(), at);
      if (d.compareTo(MIN_TIMER_DELAY) < 0) {
        d = MIN_TIMER_DELAY;
      }
      if (delay == null || d.compareTo(delay) < 0) {
        delay = d;
      }
    }
    boolean active = decision.phase() == PolicyPhase.Progressing || decision.phase() == PolicyPhase.Paused;
    if (active && (delay == null || delay.compareTo(maxTimerDelay) > 0)) {
      delay = maxTimerDelay;
    }
    return delay;
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}

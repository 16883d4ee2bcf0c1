package io.cacheplane.operator.reconcile;

import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.metrics.OperatorMetrics;
import io.cacheplane.operator.render.EnvelopeRenderer;
import io.cacheplane.operator.render.PolicyRef;
import io.cacheplane.operator.rollout.RolloutEngine;
import io.cacheplane.operator.status.Messages;
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
import java.util.List;
import java.util.Objects;

/**
 * The reconcile steps both policy kinds share, after validation: read the ConfigMap, plan ({@link PublishPlanner}),
 * write it if the plan says so, decide the status ({@link StatusDecisions}) and patch it only if it changed.
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

  private final Clock clock;
  private final OperatorMetrics metrics;
  private final RolloutEngine rollout;

  /**
   * @param clock time of condition flips
   * @param metrics where outcomes are counted
   * @param rollout the rollout strategy
   */
  public PolicyPipeline(Clock clock, OperatorMetrics metrics, RolloutEngine rollout) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.rollout = Objects.requireNonNull(rollout, "rollout");
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
    long generation = policy.getMetadata().getGeneration() == null ? 0 : policy.getMetadata().getGeneration();
    ConfigMap existing = PolicyConfigMaps.current(context, ref);

    PublishPlanner.Plan plan = PublishPlanner.plan(new PublishPlanner.Input(ref, generation, spec,
        policy.getStatus(), existing, violations, missingReferences,
        uid -> PolicyConfigMaps.policyExists(context, ref.namespace(), uid)), rollout,
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

    PolicyStatus next = StatusDecisions.next(policy.getStatus(), generation, outcome, clock.instant());
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
      default -> control;
    };
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }
}

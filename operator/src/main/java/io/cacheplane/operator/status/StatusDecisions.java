package io.cacheplane.operator.status;

import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.rollout.RolloutDecision;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The status a policy should have after a reconcile (pure): (previous status, generation, outcome, rollout decision,
 * now) → status. When the outcome is a success the rollout decision owns the conditions, the phase and the rollout
 * fields; otherwise (invalid spec, a refused write...) the outcome owns the conditions and the rollout fields are
 * carried over unchanged (nothing of this reconcile's decision reached the ConfigMap).
 */
public final class StatusDecisions {

  private StatusDecisions() {}

  /**
   * @param previous the current status ({@code null} when the policy has none yet); never modified
   * @param generation the policy's {@code metadata.generation} this reconcile acted on
   * @param outcome what the reconcile achieved
   * @param rollout the rollout decision behind a successful outcome, or {@code null}
   * @param now the time used for condition flips
   * @return a new status; {@code equals(previous)} when nothing changed (then no patch must be sent)
   */
  public static PolicyStatus next(PolicyStatus previous, long generation, Outcome outcome, RolloutDecision rollout,
      Instant now) {
    PolicyStatus s = new PolicyStatus();
    s.setObservedGeneration(generation);
    s.setSequence(outcome.sequence());
    s.setStableRevision(outcome.stableRevision());
    List<DesiredCondition> desired;
    if (outcome.result().isSuccess() && rollout != null) {
      RolloutStatus.write(rollout.next(), rollout.agents(), s);
      s.setPhase(rollout.phase());
      desired = rollout.conditions();
    } else {
      RolloutStatus.carry(previous, s);
      s.setPhase(outcome.result().phase());
      desired = desired(outcome);
    }
    s.setConditions(Conditions.merge(previous == null ? null : previous.getConditions(), desired, generation, now));
    return s;
  }

  /** Compatibility form without a rollout decision (the outcome owns every condition). */
  public static PolicyStatus next(PolicyStatus previous, long generation, Outcome outcome, Instant now) {
    return next(previous, generation, outcome, null, now);
  }

  /** Ready, Progressing, Degraded, Paused for an outcome; all carry the outcome's reason and message. */
  static List<DesiredCondition> desired(Outcome outcome) {
    boolean ok = outcome.result().isSuccess();
    String reason = outcome.result().reason();
    List<DesiredCondition> list = new ArrayList<>(4);
    list.add(new DesiredCondition(PolicyConditions.READY, ok, reason, outcome.message()));
    list.add(new DesiredCondition(PolicyConditions.PROGRESSING, false, reason, outcome.message()));
    list.add(new DesiredCondition(PolicyConditions.DEGRADED, !ok, reason, outcome.message()));
    list.add(new DesiredCondition(PolicyConditions.PAUSED, false, reason, outcome.message()));
    return list;
  }
}

package io.cacheplane.operator.status;

import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The status a policy should have after a reconcile (pure): (previous status, generation, outcome, now) → status.
 * Fields the foundation does not own yet ({@code agents}, {@code history}, {@code lastConvergenceSeconds}) are
 * carried over unchanged, so a later canary engine can fill them without this code moving.
 */
public final class StatusDecisions {

  private StatusDecisions() {}

  /**
   * @param previous the current status ({@code null} when the policy has none yet); never modified
   * @param generation the policy's {@code metadata.generation} this reconcile acted on
   * @param outcome what the reconcile achieved
   * @param now the time used for condition flips
   * @return a new status; {@code equals(previous)} when nothing changed (then no patch must be sent)
   */
  public static PolicyStatus next(PolicyStatus previous, long generation, Outcome outcome, Instant now) {
    PolicyStatus s = new PolicyStatus();
    if (previous != null) {
      s.setAgents(previous.getAgents());
      s.setHistory(previous.getHistory());
      s.setLastConvergenceSeconds(previous.getLastConvergenceSeconds());
    }
    s.setObservedGeneration(generation);
    s.setPhase(outcome.result().phase());
    s.setSequence(outcome.sequence());
    s.setStableRevision(outcome.stableRevision());
    s.setCanaryRevision(null);
    s.setCurrentStepIndex(null);
    s.setCanaryWeight(0);
    s.setConditions(Conditions.merge(previous == null ? null : previous.getConditions(),
        desired(outcome), generation, now));
    return s;
  }

  /** Ready, Progressing, Degraded for an outcome; all three carry the outcome's reason and message. */
  static List<DesiredCondition> desired(Outcome outcome) {
    boolean ok = outcome.result().isSuccess();
    String reason = outcome.result().reason();
    List<DesiredCondition> list = new ArrayList<>(3);
    list.add(new DesiredCondition(PolicyConditions.READY, ok, reason, outcome.message()));
    list.add(new DesiredCondition(PolicyConditions.PROGRESSING, false, reason, outcome.message()));
    list.add(new DesiredCondition(PolicyConditions.DEGRADED, !ok, reason, outcome.message()));
    return list;
  }
}

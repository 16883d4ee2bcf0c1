package io.cacheplane.kubectl.status;

import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.cluster.PolicySnapshot;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.Set;

/** Whether a rollout has settled, as {@code status --watch} decides when to stop. */
public enum RolloutOutcome {
  /** Still moving (or the operator has not yet observed the newest generation): keep watching. */
  RUNNING,
  /** Phase Healthy and Ready=True for the newest generation: exit {@link ExitCodes#OK}. */
  HEALTHY,
  /**
   * Rolled back, aborted, progress deadline exceeded (Ready's reason), or phase Degraded or Invalid, for the newest
   * generation: exit {@link ExitCodes#ROLLOUT_FAILED}.
   */
  FAILED;

  /** Ready reasons that mean the rollout ended without promotion. */
  public static final Set<String> FAILED_REASONS = Set.of(PolicyConditions.ROLLED_BACK, PolicyConditions.ABORTED,
      PolicyConditions.PROGRESS_DEADLINE_EXCEEDED);

  /**
   * The outcome of a policy as read now. A status whose {@code observedGeneration} is below
   * {@code metadata.generation} describes an older spec, so it is {@link #RUNNING} whatever it says.
   */
  public static RolloutOutcome of(PolicySnapshot policy) {
    PolicyStatus s = policy.status();
    if (s == null || s.getPhase() == null) {
      return RUNNING;
    }
    if (policy.generation() != null && (s.getObservedGeneration() == null
        || s.getObservedGeneration() < policy.generation())) {
      return RUNNING;
    }
    Condition ready = StatusView.condition(s, PolicyConditions.READY).orElse(null);
    if (ready != null && "False".equals(ready.getStatus()) && FAILED_REASONS.contains(ready.getReason())) {
      return FAILED;
    }
    if (s.getPhase() == PolicyPhase.Degraded || s.getPhase() == PolicyPhase.Invalid) {
      return FAILED;
    }
    if (s.getPhase() == PolicyPhase.Healthy && (ready == null || "True".equals(ready.getStatus()))) {
      return HEALTHY;
    }
    return RUNNING;
  }

  /** The exit code of {@code status --watch} ending with this outcome. */
  public int exitCode() {
    return this == FAILED ? ExitCodes.ROLLOUT_FAILED : ExitCodes.OK;
  }
}

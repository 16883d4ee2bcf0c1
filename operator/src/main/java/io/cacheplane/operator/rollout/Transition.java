package io.cacheplane.operator.rollout;

/**
 * A rollout transition, for Kubernetes Events (reason = {@link #reason()}) and the
 * {@code cacheplane_operator_rollout_transitions_total{transition}} metric (label = {@link #label()}).
 */
public enum Transition {
  STARTED("RolloutStarted", false),
  STEP_ADVANCED("StepAdvanced", false),
  STEPS_CHANGED("StepsChanged", false),
  PROMOTED("Promoted", false),
  PROMOTED_FULL("PromotedFull", false),
  COMPLETED("RolloutCompleted", false),
  SUPERSEDED("Superseded", false),
  REVERTED("Reverted", false),
  PAUSED("Paused", false),
  RESUMED("Resumed", false),
  ABORTED("Aborted", true),
  RETRIED("Retried", false),
  ROLLED_BACK("RolledBack", true),
  CONVERGED("Converged", false);

  private final String reason;
  private final boolean warning;

  Transition(String reason, boolean warning) {
    this.reason = reason;
    this.warning = warning;
  }

  /** CamelCase Event reason. */
  public String reason() { return reason; }

  /** Whether the Event is of type Warning (else Normal). */
  public boolean warning() { return warning; }

  /** The metric label: snake_case of the reason. */
  public String label() {
    return reason.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * One transition that happened in a decision.
   *
   * @param transition what
   * @param message human-readable detail (for the Event's note)
   * @param rollbackReason for {@link #ROLLED_BACK}: {@code nack}, {@code analysis} or {@code progress_deadline}
   *     (the {@code reason} label of {@code cacheplane_operator_rollbacks_total}); else {@code null}
   */
  public record Event(Transition transition, String message, String rollbackReason) {}
}

package io.cacheplane.operator.status;

import java.util.List;

/** The condition types the operator owns, in the order they appear in {@code status.conditions}. */
public final class ConditionTypes {

  /** True when the current generation is valid and published (until agent reports exist). */
  public static final String READY = "Ready";
  /** True while a rollout moves agents to a new revision (never, with the all-at-once rollout). */
  public static final String PROGRESSING = "Progressing";
  /** True when the current generation could not be published; the previous envelope keeps serving. */
  public static final String DEGRADED = "Degraded";

  /** Every type the operator sets on each reconcile, in status order. */
  public static final List<String> OWNED = List.of(READY, PROGRESSING, DEGRADED);

  private ConditionTypes() {}
}

package io.cacheplane.operator.rollout;

/**
 * The rollout state machine: a pure function (previous state, strategy, candidate, published revisions, controls,
 * agent reports, now) → decision. No client, no clock of its own ({@link RolloutInput#now()} is injected).
 * {@link CanaryRollout} is the implementation; {@code steps: [{setWeight: 100}]} rolls out all at once.
 */
public interface RolloutEngine {

  /** Decides what the envelope carries, what status records and when to look again. */
  RolloutDecision decide(RolloutInput input);
}

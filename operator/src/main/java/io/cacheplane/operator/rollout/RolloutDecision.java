package io.cacheplane.operator.rollout;

import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.operator.status.DesiredCondition;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What the state machine decided.
 *
 * @param target what the envelope carries now, or {@code null} to write nothing new (e.g. {@code AgentsOutdated},
 *     or a paused policy that never published)
 * @param next the rollout state for status
 * @param conditions Ready, Progressing, Degraded, Paused
 * @param phase the summary phase
 * @param agents agent counts for status
 * @param transitions what happened, in order (Events, metrics)
 * @param wakeAt when to decide again even if nothing changes (a timer), or {@code null}
 * @param convergedSeconds set when every agent just reached the promoted revision: seconds since its first publish
 */
public record RolloutDecision(RolloutTarget target, RolloutState next, List<DesiredCondition> conditions,
    PolicyPhase phase, Tally agents, List<Transition.Event> transitions, Instant wakeAt, Long convergedSeconds) {

  public RolloutDecision {
    Objects.requireNonNull(next, "next");
    conditions = List.copyOf(conditions);
    Objects.requireNonNull(phase, "phase");
    Objects.requireNonNull(agents, "agents");
    transitions = List.copyOf(transitions);
  }

  /**
   * Agent counts ({@code status.agents}).
   *
   * @param matched live agents the policy selects
   * @param stable of them, serving the stable revision
   * @param canary of them, serving the canary revision
   * @param rejected of them, whose last envelope was refused
   * @param stale matched agents whose Lease expired
   */
  public record Tally(int matched, int stable, int canary, int rejected, int stale) {}
}

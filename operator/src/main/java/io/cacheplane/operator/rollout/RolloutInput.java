package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.PublishedRevision;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Everything one rollout decision looks at.
 *
 * @param candidate the newest valid spec as a revision ({@code EnvelopeCodec.publish(spec, generation, null)})
 * @param stable the stable revision in the policy's ConfigMap, or {@code null} (none yet)
 * @param canary the canary revision in the policy's ConfigMap (with its threshold), or {@code null}
 * @param publishedSequence the sequence of the envelope in the policy's ConfigMap, or {@code null}
 * @param previous the rollout state from status
 * @param strategy the resolved strategy (spec.rollout over the operator's default)
 * @param paused {@code spec.paused}
 * @param requested control tokens on the policy's annotations
 * @param agents live agents the policy selects whose Pod exists (liveness by the operator's clock)
 * @param staleAgents matched agents whose Lease expired (left out of {@code agents})
 * @param outdatedAgents ids of matched live agents that do not list the envelope schema version
 * @param now the operator's clock
 * @param agentSelector the policy's {@code agentSelector} as text for messages ({@code SelectorText}), e.g.
 *     {@code app=agent}
 */
public record RolloutInput(PublishedRevision candidate, PublishedRevision stable, PublishedRevision canary,
    Long publishedSequence, RolloutState previous, Strategy strategy, boolean paused, Controls requested, List<AgentView> agents,
    int staleAgents, List<String> outdatedAgents, Instant now, String agentSelector) {

  public RolloutInput {
    Objects.requireNonNull(candidate, "candidate");
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(requested, "requested");
    agents = List.copyOf(agents);
    outdatedAgents = List.copyOf(outdatedAgents);
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(agentSelector, "agentSelector");
  }
}

package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.PublishedRevision;

/**
 * What the envelope should carry now.
 *
 * @param stable the revision agents outside the canary serve; {@code null} while a new policy has no stable revision
 *     (creation goes through the strategy too)
 * @param canary the revision under rollout with its threshold, or {@code null} when no rollout runs
 */
public record RolloutTarget(PublishedRevision stable, PublishedRevision canary) {

  public RolloutTarget {
    if (stable == null && canary == null) {
      throw new IllegalArgumentException("an envelope needs a stable or a canary revision");
    }
    if (canary != null && canary.threshold() == null) {
      throw new IllegalArgumentException("a canary needs a threshold");
    }
  }
}

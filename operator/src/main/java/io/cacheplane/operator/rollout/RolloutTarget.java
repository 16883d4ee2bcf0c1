package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.PublishedRevision;
import java.util.Objects;

/**
 * What the envelope should carry now.
 *
 * @param stable the revision agents outside the canary serve (never null in the foundation)
 * @param canary the revision under rollout with its threshold, or {@code null} when no rollout runs
 * @param canaryWeight percent of matched agents targeted with the canary (0 without a canary)
 */
public record RolloutTarget(PublishedRevision stable, PublishedRevision canary, int canaryWeight) {

  public RolloutTarget {
    Objects.requireNonNull(stable, "stable");
    if (canaryWeight < 0 || canaryWeight > 100) {
      throw new IllegalArgumentException("canaryWeight must be in 0..100, got " + canaryWeight);
    }
  }
}

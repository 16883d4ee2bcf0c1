package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.PublishedRevision;

/** The foundation's strategy: the newest valid spec becomes the stable revision at once; no canary. */
public final class AllAtOnceRollout implements RolloutEngine {

  /** The shared instance (stateless). */
  public static final AllAtOnceRollout INSTANCE = new AllAtOnceRollout();

  private AllAtOnceRollout() {}

  @Override
  public RolloutTarget target(PublishedRevision candidate, String publishedStableRevision) {
    return new RolloutTarget(candidate, null, 0);
  }
}

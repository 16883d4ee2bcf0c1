package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.PublishedRevision;

/**
 * The seam where a rollout strategy decides what the envelope carries. Must be a pure function: no client,
 * no clock of its own. The foundation ships {@link AllAtOnceRollout}; the canary engine (steps, bake, analysis,
 * thresholds from agent reports) will implement this interface and get more inputs (status, agent reports, now).
 */
public interface RolloutEngine {

  /**
   * @param candidate the newest valid spec as a revision ({@code EnvelopeCodec.publish(spec, generation, null)})
   * @param publishedStableRevision the stable revision in the current ConfigMap, or {@code null} when none
   * @return the revisions the envelope should carry
   */
  RolloutTarget target(PublishedRevision candidate, String publishedStableRevision);
}

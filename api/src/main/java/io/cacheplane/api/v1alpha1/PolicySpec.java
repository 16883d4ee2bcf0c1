package io.cacheplane.api.v1alpha1;

import io.fabric8.kubernetes.api.model.LabelSelector;

/** What both policy kinds share: which agents they select and how a change of them is rolled out. */
public interface PolicySpec {

  /** Agents (by pod label) this policy applies to; absent or empty selects every agent in the namespace. */
  LabelSelector getAgentSelector();

  /** Declarative freeze of the rollout ({@code spec.paused}); {@code null} means false. */
  Boolean getPaused();

  /** The rollout strategy; {@code null} means the operator's default strategy. */
  RolloutStrategy getRollout();
}

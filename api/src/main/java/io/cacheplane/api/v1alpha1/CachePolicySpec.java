package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.LabelSelector;

/** Desired state of a CachePolicy: one named response cache on every selected agent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CachePolicySpec implements PolicySpec {

  @JsonPropertyDescription("Agents (by pod label) that apply this policy. Absent or empty: every agent in "
      + "the namespace.")
  private LabelSelector agentSelector;

  @JsonPropertyDescription("Freezes the rollout of this policy at its current step while true.")
  private Boolean paused;

  @JsonPropertyDescription("Size and expiry of the cache.")
  private CacheSettings cache;

  @JsonPropertyDescription("What makes two requests share a cached response.")
  private CacheKeySpec key;

  @JsonPropertyDescription("Which requests and responses may be stored.")
  private CacheableSpec cacheable;

  @JsonPropertyDescription("How a change of this policy is rolled out to the agents. Absent, and for each field "
      + "left out: the operator's default strategy (cacheplane.operator.default-rollout).")
  private RolloutStrategy rollout;

  @Override public LabelSelector getAgentSelector() { return agentSelector; }
  public void setAgentSelector(LabelSelector agentSelector) { this.agentSelector = agentSelector; }
  @Override public Boolean getPaused() { return paused; }
  public void setPaused(Boolean paused) { this.paused = paused; }
  public CacheSettings getCache() { return cache; }
  public void setCache(CacheSettings cache) { this.cache = cache; }
  public CacheKeySpec getKey() { return key; }
  public void setKey(CacheKeySpec key) { this.key = key; }
  public CacheableSpec getCacheable() { return cacheable; }
  public void setCacheable(CacheableSpec cacheable) { this.cacheable = cacheable; }
  @Override public RolloutStrategy getRollout() { return rollout; }
  public void setRollout(RolloutStrategy rollout) { this.rollout = rollout; }
}

package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
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

  @JsonPropertyDescription("Who may share a cached response: Global (everyone), Tenant (requests with the same "
      + "scopeHeader value) or User (the same scopeHeader value, typically set by an authenticating proxy). "
      + "Responses never cross scopes; a request without the header is forwarded uncached. Requests carrying "
      + "Authorization or Cookie bypass the cache unless the scope is User. Default: Global.")
  private CacheScope scope;

  @JsonPropertyDescription("Request header holding the tenant or user identity (e.g. X-Tenant-Id); required when "
      + "scope is Tenant or User, not allowed with Global.")
  private String scopeHeader;

  @JsonPropertyDescription("When true, stored responses are encrypted in memory (AES-GCM, key from the agent's "
      + "mounted key file), key material is hashed (HMAC-SHA256), and keys and values are never logged. Agents "
      + "without a key file reject the policy. Default: false.")
  private Boolean sensitive;

  @JsonPropertyDescription("Change this number (e.g. increment it) to purge the cache on every agent; the change "
      + "rolls out like any other. Default: 0.")
  @Min(0)
  private Long purgeGeneration;

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
  public CacheScope getScope() { return scope; }
  public void setScope(CacheScope scope) { this.scope = scope; }
  public String getScopeHeader() { return scopeHeader; }
  public void setScopeHeader(String scopeHeader) { this.scopeHeader = scopeHeader; }
  public Boolean getSensitive() { return sensitive; }
  public void setSensitive(Boolean sensitive) { this.sensitive = sensitive; }
  public Long getPurgeGeneration() { return purgeGeneration; }
  public void setPurgeGeneration(Long purgeGeneration) { this.purgeGeneration = purgeGeneration; }
  @Override public RolloutStrategy getRollout() { return rollout; }
  public void setRollout(RolloutStrategy rollout) { this.rollout = rollout; }
}

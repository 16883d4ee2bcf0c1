package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** How many agents the policy selects, and what they serve (counts of agents). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentCounts {

  @JsonPropertyDescription("Live agents selected by agentSelector.")
  private Integer matched;
  @JsonPropertyDescription("Matched agents serving the stable revision.")
  private Integer stable;
  @JsonPropertyDescription("Matched agents serving the canary revision.")
  private Integer canary;
  @JsonPropertyDescription("Matched agents that rejected the revision they were given.")
  private Integer rejected;
  @JsonPropertyDescription("Agents whose heartbeat expired; left out of the other counts.")
  private Integer stale;

  public Integer getMatched() { return matched; }
  public void setMatched(Integer matched) { this.matched = matched; }
  public Integer getStable() { return stable; }
  public void setStable(Integer stable) { this.stable = stable; }
  public Integer getCanary() { return canary; }
  public void setCanary(Integer canary) { this.canary = canary; }
  public Integer getRejected() { return rejected; }
  public void setRejected(Integer rejected) { this.rejected = rejected; }
  public Integer getStale() { return stale; }
  public void setStale(Integer stale) { this.stale = stale; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentCounts a && Objects.equals(matched, a.matched) && Objects.equals(stable, a.stable)
        && Objects.equals(canary, a.canary) && Objects.equals(rejected, a.rejected) && Objects.equals(stale, a.stale);
  }

  @Override
  public int hashCode() { return Objects.hash(matched, stable, canary, rejected, stale); }
}

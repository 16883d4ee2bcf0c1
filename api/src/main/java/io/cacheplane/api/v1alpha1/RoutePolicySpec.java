package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** Desired state of a RoutePolicy: HTTP routes from the agents to upstream backends. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RoutePolicySpec implements PolicySpec {

  @JsonPropertyDescription("Agents (by pod label) that apply this policy. Absent or empty: every agent in "
      + "the namespace.")
  private LabelSelector agentSelector;

  @JsonPropertyDescription("Freezes the rollout of this policy at its current step while true.")
  private Boolean paused;

  @JsonPropertyDescription("Routes, matched in this order (first match wins within the policy).")
  @Required
  private List<Route> routes;

  @JsonPropertyDescription("How a change of this policy is rolled out to the agents. Absent, and for each field "
      + "left out: the operator's default strategy (cacheplane.operator.default-rollout).")
  private RolloutStrategy rollout;

  @Override public LabelSelector getAgentSelector() { return agentSelector; }
  public void setAgentSelector(LabelSelector agentSelector) { this.agentSelector = agentSelector; }
  @Override public Boolean getPaused() { return paused; }
  public void setPaused(Boolean paused) { this.paused = paused; }
  public List<Route> getRoutes() { return routes; }
  public void setRoutes(List<Route> routes) { this.routes = routes; }
  @Override public RolloutStrategy getRollout() { return rollout; }
  public void setRollout(RolloutStrategy rollout) { this.rollout = rollout; }
}

package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Observed state of a CachePolicy or RoutePolicy (one shape for both kinds). Written only by the operator.
 * Conditions are of type {@code Ready}, {@code Progressing}, {@code Degraded}, {@code Paused}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyStatus {

  @JsonPropertyDescription("metadata.generation the operator last acted on.")
  private Long observedGeneration;

  @JsonPropertyDescription("Summary: Pending, Progressing, Paused, Healthy, Degraded or Invalid.")
  private PolicyPhase phase;

  @JsonPropertyDescription("Kubernetes-style conditions: Ready, Progressing, Degraded, Paused.")
  private List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("Publish counter of the policy's ConfigMap envelope; rises on every publish.")
  private Long sequence;

  @JsonPropertyDescription("Revision (content hash, 16 hex characters) every agent falls back to.")
  private String stableRevision;

  @JsonPropertyDescription("Revision under rollout, if any.")
  private String canaryRevision;

  @JsonPropertyDescription("Index of the rollout step being executed, if a rollout runs.")
  private Integer currentStepIndex;

  @JsonPropertyDescription("Percent of matched agents targeted with the canary revision.")
  private Integer canaryWeight;

  @JsonPropertyDescription("Agent counts, from the agents' reports.")
  private AgentCounts agents;

  @JsonPropertyDescription("Recent revisions with their outcome, newest last (bounded).")
  private List<RevisionHistoryEntry> history;

  @JsonPropertyDescription("Seconds from publishing the last completed revision until every agent acknowledged it.")
  private Long lastConvergenceSeconds;

  public Long getObservedGeneration() { return observedGeneration; }
  public void setObservedGeneration(Long observedGeneration) { this.observedGeneration = observedGeneration; }
  public PolicyPhase getPhase() { return phase; }
  public void setPhase(PolicyPhase phase) { this.phase = phase; }
  public List<Condition> getConditions() { return conditions; }
  public void setConditions(List<Condition> conditions) { this.conditions = conditions; }
  public Long getSequence() { return sequence; }
  public void setSequence(Long sequence) { this.sequence = sequence; }
  public String getStableRevision() { return stableRevision; }
  public void setStableRevision(String stableRevision) { this.stableRevision = stableRevision; }
  public String getCanaryRevision() { return canaryRevision; }
  public void setCanaryRevision(String canaryRevision) { this.canaryRevision = canaryRevision; }
  public Integer getCurrentStepIndex() { return currentStepIndex; }
  public void setCurrentStepIndex(Integer currentStepIndex) { this.currentStepIndex = currentStepIndex; }
  public Integer getCanaryWeight() { return canaryWeight; }
  public void setCanaryWeight(Integer canaryWeight) { this.canaryWeight = canaryWeight; }
  public AgentCounts getAgents() { return agents; }
  public void setAgents(AgentCounts agents) { this.agents = agents; }
  public List<RevisionHistoryEntry> getHistory() { return history; }
  public void setHistory(List<RevisionHistoryEntry> history) { this.history = history; }
  public Long getLastConvergenceSeconds() { return lastConvergenceSeconds; }
  public void setLastConvergenceSeconds(Long lastConvergenceSeconds) { this.lastConvergenceSeconds = lastConvergenceSeconds; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && phase == s.phase && Objects.equals(conditions, s.conditions) && Objects.equals(sequence, s.sequence)
        && Objects.equals(stableRevision, s.stableRevision) && Objects.equals(canaryRevision, s.canaryRevision)
        && Objects.equals(currentStepIndex, s.currentStepIndex) && Objects.equals(canaryWeight, s.canaryWeight)
        && Objects.equals(agents, s.agents) && Objects.equals(history, s.history)
        && Objects.equals(lastConvergenceSeconds, s.lastConvergenceSeconds);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, conditions, sequence, stableRevision, canaryRevision,
        currentStepIndex, canaryWeight, agents, history, lastConvergenceSeconds);
  }
}

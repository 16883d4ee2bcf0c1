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

  @JsonPropertyDescription("Hash of the rollout steps the running rollout follows; a change restarts the steps.")
  private String stepsHash;

  @JsonPropertyDescription("When the current rollout step started (RFC 3339); bake times and the progress deadline "
      + "count from it.")
  private String currentStepStartedAt;

  @JsonPropertyDescription("When the revision under rollout was first published (RFC 3339); kept after promotion "
      + "until every agent serves it, to measure lastConvergenceSeconds.")
  private String canaryPublishedAt;

  @JsonPropertyDescription("Bucket threshold of the canary (0-4294967296): agents whose bucket is below it serve "
      + "the canary. Never decreases within a rollout.")
  private Long canaryThreshold;

  @JsonPropertyDescription("When spec.paused froze the rollout (RFC 3339); timers resume shifted by the pause.")
  private String pausedAt;

  @JsonPropertyDescription("The running canary analysis (window, baseline counters, verdicts).")
  private AnalysisStatus analysis;

  @JsonPropertyDescription("Last handled tokens of the promote, promote-full, abort and retry annotations.")
  private RolloutControls controls;

  @JsonPropertyDescription("Envelope sequence that last carried a canary which was then taken out; a new canary "
      + "is published only after every live agent reported a later sequence (agents never run three revisions).")
  private Long drainSequence;

  @JsonPropertyDescription("When that canary was taken out (RFC 3339); the drain stops waiting after the progress "
      + "deadline.")
  private String drainStartedAt;

  @JsonPropertyDescription("The rollout that was aborted or rolled back; its revision is not rolled out again "
      + "until the spec changes or cacheplane.io/retry is set.")
  private AbortedRollout aborted;

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
  public String getStepsHash() { return stepsHash; }
  public void setStepsHash(String stepsHash) { this.stepsHash = stepsHash; }
  public String getCurrentStepStartedAt() { return currentStepStartedAt; }
  public void setCurrentStepStartedAt(String currentStepStartedAt) { this.currentStepStartedAt = currentStepStartedAt; }
  public String getCanaryPublishedAt() { return canaryPublishedAt; }
  public void setCanaryPublishedAt(String canaryPublishedAt) { this.canaryPublishedAt = canaryPublishedAt; }
  public Long getCanaryThreshold() { return canaryThreshold; }
  public void setCanaryThreshold(Long canaryThreshold) { this.canaryThreshold = canaryThreshold; }
  public String getPausedAt() { return pausedAt; }
  public void setPausedAt(String pausedAt) { this.pausedAt = pausedAt; }
  public AnalysisStatus getAnalysis() { return analysis; }
  public void setAnalysis(AnalysisStatus analysis) { this.analysis = analysis; }
  public RolloutControls getControls() { return controls; }
  public void setControls(RolloutControls controls) { this.controls = controls; }
  public Long getDrainSequence() { return drainSequence; }
  public void setDrainSequence(Long drainSequence) { this.drainSequence = drainSequence; }
  public String getDrainStartedAt() { return drainStartedAt; }
  public void setDrainStartedAt(String drainStartedAt) { this.drainStartedAt = drainStartedAt; }
  public AbortedRollout getAborted() { return aborted; }
  public void setAborted(AbortedRollout aborted) { this.aborted = aborted; }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyStatus s && Objects.equals(observedGeneration, s.observedGeneration)
        && phase == s.phase && Objects.equals(conditions, s.conditions) && Objects.equals(sequence, s.sequence)
        && Objects.equals(stableRevision, s.stableRevision) && Objects.equals(canaryRevision, s.canaryRevision)
        && Objects.equals(currentStepIndex, s.currentStepIndex) && Objects.equals(canaryWeight, s.canaryWeight)
        && Objects.equals(agents, s.agents) && Objects.equals(history, s.history)
        && Objects.equals(lastConvergenceSeconds, s.lastConvergenceSeconds) && Objects.equals(stepsHash, s.stepsHash)
        && Objects.equals(currentStepStartedAt, s.currentStepStartedAt)
        && Objects.equals(canaryPublishedAt, s.canaryPublishedAt) && Objects.equals(canaryThreshold, s.canaryThreshold)
        && Objects.equals(pausedAt, s.pausedAt) && Objects.equals(analysis, s.analysis)
        && Objects.equals(controls, s.controls) && Objects.equals(aborted, s.aborted)
        && Objects.equals(drainSequence, s.drainSequence) && Objects.equals(drainStartedAt, s.drainStartedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, phase, conditions, sequence, stableRevision, canaryRevision,
        currentStepIndex, canaryWeight, agents, history, lastConvergenceSeconds, stepsHash, currentStepStartedAt,
        canaryPublishedAt, canaryThreshold, pausedAt, analysis, controls, aborted, drainSequence, drainStartedAt);
  }
}

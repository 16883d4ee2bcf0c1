package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

/**
 * How a new revision reaches the agents, in Argo Rollouts' vocabulary: {@code steps} of
 * {@code setWeight} and {@code pause}, an optional {@code analysis}, and a {@code progressDeadline}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStrategy {

  @JsonPropertyDescription("Ordered canary steps. Each step is either setWeight (percent of matched agents "
      + "on the new revision) or pause (a bake time, or indefinite until promoted). "
      + "[{setWeight: 100}] rolls out all at once.")
  private List<RolloutStep> steps;

  @JsonPropertyDescription("Canary health analysis, run while canary agents serve the new revision.")
  private AnalysisSpec analysis;

  @JsonPropertyDescription("How long canary agents may take to acknowledge a step before the rollout "
      + "is rolled back, as a duration (e.g. 10m).")
  @Pattern(Durations.PATTERN)
  private String progressDeadline;

  public List<RolloutStep> getSteps() { return steps; }
  public void setSteps(List<RolloutStep> steps) { this.steps = steps; }
  public AnalysisSpec getAnalysis() { return analysis; }
  public void setAnalysis(AnalysisSpec analysis) { this.analysis = analysis; }
  public String getProgressDeadline() { return progressDeadline; }
  public void setProgressDeadline(String progressDeadline) { this.progressDeadline = progressDeadline; }
}

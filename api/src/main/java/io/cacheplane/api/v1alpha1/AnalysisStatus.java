package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The running analysis of a rollout: the open window, its baseline counters, and the verdicts so far. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisStatus {

  @JsonPropertyDescription("Start of the open analysis window (RFC 3339).")
  private String windowStartedAt;
  @JsonPropertyDescription("Cumulative counters of each reporting agent at the start of the window.")
  private List<AgentCounterSnapshot> baseline = new ArrayList<>();
  @JsonPropertyDescription("Failed intervals in this rollout.")
  private Integer failures;
  @JsonPropertyDescription("End of the last interval that passed (RFC 3339).")
  private String lastPassAt;
  @JsonPropertyDescription("The last verdict, human-readable (rates, request counts).")
  private String lastResult;

  public String getWindowStartedAt() { return windowStartedAt; }
  public void setWindowStartedAt(String windowStartedAt) { this.windowStartedAt = windowStartedAt; }
  public List<AgentCounterSnapshot> getBaseline() { return baseline; }
  public void setBaseline(List<AgentCounterSnapshot> baseline) { this.baseline = baseline; }
  public Integer getFailures() { return failures; }
  public void setFailures(Integer failures) { this.failures = failures; }
  public String getLastPassAt() { return lastPassAt; }
  public void setLastPassAt(String lastPassAt) { this.lastPassAt = lastPassAt; }
  public String getLastResult() { return lastResult; }
  public void setLastResult(String lastResult) { this.lastResult = lastResult; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnalysisStatus a && Objects.equals(windowStartedAt, a.windowStartedAt)
        && Objects.equals(baseline, a.baseline) && Objects.equals(failures, a.failures)
        && Objects.equals(lastPassAt, a.lastPassAt) && Objects.equals(lastResult, a.lastResult);
  }

  @Override
  public int hashCode() { return Objects.hash(windowStartedAt, baseline, failures, lastPassAt, lastResult); }
}

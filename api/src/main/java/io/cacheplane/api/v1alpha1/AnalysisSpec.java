package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;

/** Canary analysis: error rates of canary agents, judged once enough requests were seen. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AnalysisSpec {

  @JsonPropertyDescription("How often the canary is judged, as a duration (e.g. 30s).")
  @Pattern(Durations.PATTERN)
  private String interval;

  @JsonPropertyDescription("Highest tolerated error rate of canary agents, a fraction 0.0-1.0 "
      + "(5xx answers and upstream errors over requests).")
  @Min(0)
  @Max(1)
  private Double maxErrorRate;

  @JsonPropertyDescription("Requests the canary must have served in an interval before it is judged; "
      + "fewer is inconclusive, never a pass.")
  @Min(0)
  private Long minRequests;

  @JsonPropertyDescription("Failed intervals tolerated before the rollout is rolled back.")
  @Min(0)
  private Integer failureLimit;

  public String getInterval() { return interval; }
  public void setInterval(String interval) { this.interval = interval; }
  public Double getMaxErrorRate() { return maxErrorRate; }
  public void setMaxErrorRate(Double maxErrorRate) { this.maxErrorRate = maxErrorRate; }
  public Long getMinRequests() { return minRequests; }
  public void setMinRequests(Long minRequests) { this.minRequests = minRequests; }
  public Integer getFailureLimit() { return failureLimit; }
  public void setFailureLimit(Integer failureLimit) { this.failureLimit = failureLimit; }
}

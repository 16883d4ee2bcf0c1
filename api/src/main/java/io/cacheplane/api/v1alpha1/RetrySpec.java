package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import java.util.List;

/**
 * Retries of idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE; RFC 9110 section 9.2.2) on a connection
 * failure or a listed status, bounded by a retry budget. The budget's terms and defaults are Envoy's
 * ({@code retry_budget}: budget_percent 20, min_retry_concurrency 3); each retry waits Envoy's default fully jittered
 * exponential back-off first (below 25 ms, 75 ms, 175 ms, then 250 ms).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RetrySpec {

  @JsonPropertyDescription("Retries after the first attempt (0-5). Default: 2.")
  @Min(0)
  @Max(5)
  private Integer attempts;

  @JsonPropertyDescription("Upstream statuses that are retried (500-599). Default: [502, 503, 504]. "
      + "Connection failures are always retried.")
  private List<Integer> statusCodes;

  @JsonPropertyDescription("Retries in flight may be at most this percent of the route's requests in flight "
      + "(0-100). Default: 20.")
  @Min(0)
  @Max(100)
  private Integer budgetPercent;

  @JsonPropertyDescription("Retries in flight always allowed, whatever the budget percent (0-1000). Default: 3.")
  @Min(0)
  @Max(1000)
  private Integer minRetryConcurrency;

  public Integer getAttempts() { return attempts; }
  public void setAttempts(Integer attempts) { this.attempts = attempts; }
  public List<Integer> getStatusCodes() { return statusCodes; }
  public void setStatusCodes(List<Integer> statusCodes) { this.statusCodes = statusCodes; }
  public Integer getBudgetPercent() { return budgetPercent; }
  public void setBudgetPercent(Integer budgetPercent) { this.budgetPercent = budgetPercent; }
  public Integer getMinRetryConcurrency() { return minRetryConcurrency; }
  public void setMinRetryConcurrency(Integer minRetryConcurrency) { this.minRetryConcurrency = minRetryConcurrency; }
}

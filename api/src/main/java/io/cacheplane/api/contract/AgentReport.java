package io.cacheplane.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * What an agent tells the operator, carried in its Lease's {@link AgentLeases#REPORT_ANNOTATION} annotation as
 * compact JSON (DESIGN.md, "Agent identity and reports"). Written on change and on the heartbeat, never per request.
 *
 * @param agent the agent id (its pod name)
 * @param policies one entry per policy the agent knows (selected by it), sorted by kind then name
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"agent", "policies"})
public record AgentReport(String agent, List<PolicyReport> policies) {

  /** {@code state} of a policy that serves its revision. */
  public static final String APPLIED = "Applied";
  /** {@code state} of a policy whose last envelope was refused; the previous revision (if any) keeps serving. */
  public static final String REJECTED = "Rejected";

  /**
   * One policy on one agent.
   *
   * @param kind {@code CachePolicy} or {@code RoutePolicy}
   * @param name policy name
   * @param uid policy uid
   * @param sequence envelope sequence last seen (applied or rejected)
   * @param revision revision serving now, {@code null} when none
   * @param state {@link #APPLIED} or {@link #REJECTED}
   * @param rejectedRevision for {@link #REJECTED}: the revision that was refused, when known
   * @param reason for {@link #REJECTED}: CamelCase reason ({@link EnvelopeException} constants or {@code ApplyFailed})
   * @param message for {@link #REJECTED}: human-readable detail, at most {@link AgentLeases#MAX_MESSAGE} characters
   * @param counters request counters of the serving revision while it is under analysis, else {@code null}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonPropertyOrder({"kind", "name", "uid", "sequence", "revision", "state", "rejectedRevision", "reason", "message",
      "counters"})
  public record PolicyReport(String kind, String name, String uid, Long sequence, String revision, String state,
      String rejectedRevision, String reason, String message, Counters counters) {}

  /**
   * Cumulative counts since the agent started serving {@code revision}; the operator takes differences between
   * reports to judge an analysis interval.
   *
   * @param revision the revision counted
   * @param requests requests answered through a route of this policy (RoutePolicy) or through this cache (CachePolicy)
   * @param errors5xx answers with a 5xx status among them
   * @param upstreamErrors upstream failures among them (connect errors, timeouts)
   */
  @JsonPropertyOrder({"revision", "requests", "errors5xx", "upstreamErrors"})
  public record Counters(String revision, long requests, long errors5xx, long upstreamErrors) {}
}

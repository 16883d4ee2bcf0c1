package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One agent's cumulative counters at the start of an analysis window (the baseline its deltas are taken from). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AgentCounterSnapshot {

  @JsonPropertyDescription("Agent id (pod name).")
  private String agent;
  @JsonPropertyDescription("Revision the counters are for.")
  private String revision;
  @JsonPropertyDescription("Requests counted so far.")
  private Long requests;
  @JsonPropertyDescription("Errors (5xx answers plus upstream errors) counted so far.")
  private Long errors;

  public AgentCounterSnapshot() {}

  public AgentCounterSnapshot(String agent, String revision, long requests, long errors) {
    this.agent = agent;
    this.revision = revision;
    this.requests = requests;
    this.errors = errors;
  }

  public String getAgent() { return agent; }
  public void setAgent(String agent) { this.agent = agent; }
  public String getRevision() { return revision; }
  public void setRevision(String revision) { this.revision = revision; }
  public Long getRequests() { return requests; }
  public void setRequests(Long requests) { this.requests = requests; }
  public Long getErrors() { return errors; }
  public void setErrors(Long errors) { this.errors = errors; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AgentCounterSnapshot s && Objects.equals(agent, s.agent)
        && Objects.equals(revision, s.revision) && Objects.equals(requests, s.requests)
        && Objects.equals(errors, s.errors);
  }

  @Override
  public int hashCode() { return Objects.hash(agent, revision, requests, errors); }
}

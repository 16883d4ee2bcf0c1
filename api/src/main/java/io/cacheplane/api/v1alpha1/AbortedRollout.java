package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * A rollout that ended without promotion (aborted, rolled back): its revision is not rolled out again until the spec
 * changes to another revision or the {@code cacheplane.io/retry} control is used.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class AbortedRollout {

  @JsonPropertyDescription("The canary revision that was taken back.")
  private String revision;
  @JsonPropertyDescription("metadata.generation it came from.")
  private Long generation;
  @JsonPropertyDescription("Why: Aborted, RolledBack or ProgressDeadlineExceeded.")
  private String reason;
  @JsonPropertyDescription("Details, e.g. the agent that rejected the revision and its reason.")
  private String message;
  @JsonPropertyDescription("When (RFC 3339).")
  private String time;

  public AbortedRollout() {}

  public AbortedRollout(String revision, Long generation, String reason, String message, String time) {
    this.revision = revision;
    this.generation = generation;
    this.reason = reason;
    this.message = message;
    this.time = time;
  }

  public String getRevision() { return revision; }
  public void setRevision(String revision) { this.revision = revision; }
  public Long getGeneration() { return generation; }
  public void setGeneration(Long generation) { this.generation = generation; }
  public String getReason() { return reason; }
  public void setReason(String reason) { this.reason = reason; }
  public String getMessage() { return message; }
  public void setMessage(String message) { this.message = message; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }

  @Override
  public boolean equals(Object o) {
    return o instanceof AbortedRollout a && Objects.equals(revision, a.revision)
        && Objects.equals(generation, a.generation) && Objects.equals(reason, a.reason)
        && Objects.equals(message, a.message) && Objects.equals(time, a.time);
  }

  @Override
  public int hashCode() { return Objects.hash(revision, generation, reason, message, time); }
}

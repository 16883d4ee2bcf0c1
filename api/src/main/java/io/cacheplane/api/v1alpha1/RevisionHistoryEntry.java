package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** One published revision and how it ended. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RevisionHistoryEntry {

  @JsonPropertyDescription("Revision hash (16 hex characters).")
  private String revision;
  @JsonPropertyDescription("metadata.generation of the policy that produced it.")
  private Long generation;
  @JsonPropertyDescription("Outcome: Promoted, RolledBack, Superseded or Aborted.")
  private String outcome;
  @JsonPropertyDescription("When the outcome was reached (RFC 3339).")
  private String time;

  public RevisionHistoryEntry() {}

  public RevisionHistoryEntry(String revision, Long generation, String outcome, String time) {
    this.revision = revision;
    this.generation = generation;
    this.outcome = outcome;
    this.time = time;
  }

  public String getRevision() { return revision; }
  public void setRevision(String revision) { this.revision = revision; }
  public Long getGeneration() { return generation; }
  public void setGeneration(Long generation) { this.generation = generation; }
  public String getOutcome() { return outcome; }
  public void setOutcome(String outcome) { this.outcome = outcome; }
  public String getTime() { return time; }
  public void setTime(String time) { this.time = time; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RevisionHistoryEntry e && Objects.equals(revision, e.revision)
        && Objects.equals(generation, e.generation) && Objects.equals(outcome, e.outcome) && Objects.equals(time, e.time);
  }

  @Override
  public int hashCode() { return Objects.hash(revision, generation, outcome, time); }
}

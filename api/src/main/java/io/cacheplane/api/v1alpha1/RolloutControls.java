package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The last control tokens the operator handled (DESIGN.md, "Controls"). A control is the annotation
 * {@code cacheplane.io/<control>} on the policy whose value is a token (any string, e.g. a timestamp); a value that
 * differs from the one recorded here triggers the action once.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutControls {

  /** Annotation: promote the rollout by one step (skip the current step, e.g. an indefinite pause). */
  public static final String PROMOTE_ANNOTATION = "cacheplane.io/promote";
  /** Annotation: promote the canary to stable at once, skipping the remaining steps. */
  public static final String PROMOTE_FULL_ANNOTATION = "cacheplane.io/promote-full";
  /** Annotation: abort the rollout, back to the stable revision. */
  public static final String ABORT_ANNOTATION = "cacheplane.io/abort";
  /** Annotation: restart the steps of an aborted or rolled-back rollout of the same revision. */
  public static final String RETRY_ANNOTATION = "cacheplane.io/retry";

  @JsonPropertyDescription("Last handled value of the cacheplane.io/promote annotation.")
  private String promote;
  @JsonPropertyDescription("Last handled value of the cacheplane.io/promote-full annotation.")
  private String promoteFull;
  @JsonPropertyDescription("Last handled value of the cacheplane.io/abort annotation.")
  private String abort;
  @JsonPropertyDescription("Last handled value of the cacheplane.io/retry annotation.")
  private String retry;

  public RolloutControls() {}

  public RolloutControls(String promote, String promoteFull, String abort, String retry) {
    this.promote = promote;
    this.promoteFull = promoteFull;
    this.abort = abort;
    this.retry = retry;
  }

  public String getPromote() { return promote; }
  public void setPromote(String promote) { this.promote = promote; }
  public String getPromoteFull() { return promoteFull; }
  public void setPromoteFull(String promoteFull) { this.promoteFull = promoteFull; }
  public String getAbort() { return abort; }
  public void setAbort(String abort) { this.abort = abort; }
  public String getRetry() { return retry; }
  public void setRetry(String retry) { this.retry = retry; }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutControls c && Objects.equals(promote, c.promote)
        && Objects.equals(promoteFull, c.promoteFull) && Objects.equals(abort, c.abort) && Objects.equals(retry, c.retry);
  }

  @Override
  public int hashCode() { return Objects.hash(promote, promoteFull, abort, retry); }
}

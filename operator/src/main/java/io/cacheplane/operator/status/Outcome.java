package io.cacheplane.operator.status;

import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import java.util.Objects;

/**
 * What one reconcile achieved for a policy, as the status sees it.
 *
 * @param result the kind of outcome
 * @param message the detail for the conditions' message (bounded by the producer)
 * @param sequence the envelope sequence now published ({@code null} when nothing was ever published)
 * @param stableRevision the revision now published as stable ({@code null} when nothing was ever published)
 */
public record Outcome(Result result, String message, Long sequence, String stableRevision) {

  public Outcome {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(message, "message");
  }

  /** The kinds of outcome, each with its reason, phase and metric label. */
  public enum Result {
    PUBLISHED(PolicyConditions.PUBLISHED, PolicyPhase.Healthy, "published"),
    INVALID_SPEC(PolicyConditions.INVALID_SPEC, PolicyPhase.Invalid, "invalid_spec"),
    CACHE_POLICY_NOT_FOUND(PolicyConditions.CACHE_POLICY_NOT_FOUND, PolicyPhase.Degraded, "cache_policy_not_found"),
    PAYLOAD_TOO_LARGE(PolicyConditions.PAYLOAD_TOO_LARGE, PolicyPhase.Degraded, "payload_too_large"),
    PUBLISH_FAILED(PolicyConditions.PUBLISH_FAILED, PolicyPhase.Degraded, "publish_failed"),
    CONFIG_MAP_CONFLICT(PolicyConditions.CONFIG_MAP_CONFLICT, PolicyPhase.Degraded, "configmap_conflict");

    private final String reason;
    private final PolicyPhase phase;
    private final String metricLabel;

    Result(String reason, PolicyPhase phase, String metricLabel) {
      this.reason = reason;
      this.phase = phase;
      this.metricLabel = metricLabel;
    }

    /** The condition reason, one of the reasons in {@link PolicyConditions}. */
    public String reason() { return reason; }

    /** The phase this outcome puts the policy in. */
    public PolicyPhase phase() { return phase; }

    /** The value of the {@code result} label of {@code cacheplane_operator_reconciles_total}. */
    public String metricLabel() { return metricLabel; }

    /** Whether the desired generation is what agents get now. */
    public boolean isSuccess() { return this == PUBLISHED; }
  }
}

package io.cacheplane.api.v1alpha1;

import java.util.List;

/**
 * The status vocabulary of CachePolicy and RoutePolicy: condition types ({@code status.conditions[].type}) and the
 * CamelCase reasons the operator writes into {@code status.conditions[].reason}. Argo CD health scripts,
 * {@code kubectl wait --for=condition=Ready} pipelines, alerts and the agents' tooling match on these strings: they
 * are public API, never rename them. Details always go into the condition's {@code message}.
 * <p>Each reason says what it means and what to do about it; the phase it goes with is in parentheses.
 */
public final class PolicyConditions {

  // ---- condition types ----

  /** True when the current generation is valid and published (until agent reports exist); wait on this one. */
  public static final String READY = "Ready";
  /** True while a rollout moves agents to a new revision (never, with the all-at-once rollout). */
  public static final String PROGRESSING = "Progressing";
  /** True when the current generation could not be published; whatever was published before keeps serving. */
  public static final String DEGRADED = "Degraded";
  /** True while the rollout waits ({@code spec.paused} or an indefinite pause step); not set by the operator yet. */
  public static final String PAUSED = "Paused";

  /** The condition types the operator sets on every reconcile, in the order they appear in status. */
  public static final List<String> OPERATOR_TYPES = List.of(READY, PROGRESSING, DEGRADED);

  // ---- reasons ----

  /**
   * (Healthy) The spec is valid and its envelope is in the policy's ConfigMap; nothing to do.
   */
  public static final String PUBLISHED = "Published";
  /**
   * (Invalid) The spec breaks validation rules (the message names each field); nothing of this generation was
   * published and the previous envelope keeps serving. Fix the named fields and apply again.
   */
  public static final String INVALID_SPEC = "InvalidSpec";
  /**
   * (Degraded) A RoutePolicy route names a CachePolicy that does not exist in its namespace; nothing new was
   * published. Create that CachePolicy or fix {@code routes[].cachePolicyRef}; the RoutePolicy is retried at once.
   */
  public static final String CACHE_POLICY_NOT_FOUND = "CachePolicyNotFound";
  /**
   * (Degraded) The rendered envelope is above the size limit (900 KiB of the 1 MiB ConfigMap limit); not written,
   * the previous envelope keeps serving. Make the spec smaller (fewer or shorter routes, patterns, headers).
   */
  public static final String PAYLOAD_TOO_LARGE = "PayloadTooLarge";
  /**
   * (Degraded) The API server refused the ConfigMap write (the message has the error, e.g. forbidden or a quota);
   * the previous envelope keeps serving and the write is retried automatically. Fix the operator's RBAC, quota or
   * admission policy as the message says.
   */
  public static final String PUBLISH_FAILED = "PublishFailed";
  /**
   * (Degraded) A ConfigMap with the policy's ConfigMap name ({@code cachepolicy-<name>} / {@code routepolicy-<name>})
   * already exists and was not created for this policy (someone else's ConfigMap, or one of another policy that
   * still exists); the operator does not overwrite it and publishes nothing. Delete or rename that ConfigMap (or
   * rename the policy); the policy is reconciled again as soon as that ConfigMap changes or is deleted.
   */
  public static final String CONFIG_MAP_CONFLICT = "ConfigMapConflict";

  /** Every reason the operator writes, in the order above. */
  public static final List<String> REASONS = List.of(PUBLISHED, INVALID_SPEC, CACHE_POLICY_NOT_FOUND,
      PAYLOAD_TOO_LARGE, PUBLISH_FAILED, CONFIG_MAP_CONFLICT);

  private PolicyConditions() {}
}

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

  /**
   * True only when the current generation's revision is the stable one and every live matched agent serves it; wait
   * on this one ({@code kubectl wait --for=condition=Ready} fails after an automatic rollback).
   */
  public static final String READY = "Ready";
  /** True while a rollout moves agents to a new revision; the reason names the step being executed. */
  public static final String PROGRESSING = "Progressing";
  /** True when the current generation could not be published; whatever was published before keeps serving. */
  public static final String DEGRADED = "Degraded";
  /** True while the rollout waits for a person: {@code spec.paused}, an indefinite pause step, inconclusive analysis. */
  public static final String PAUSED = "Paused";

  /** The condition types the operator sets on every reconcile, in the order they appear in status. */
  public static final List<String> OPERATOR_TYPES = List.of(READY, PROGRESSING, DEGRADED, PAUSED);

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


  // ---- rollout reasons ----

  /**
   * (Progressing; Ready=False) A rollout step sets the canary weight; the operator waits until every canary agent
   * acknowledges the canary revision (at most {@code progressDeadline}). The message names the step and the cohort.
   */
  public static final String STEP_SET_WEIGHT = "StepSetWeight";
  /** (Progressing) A timed pause step (bake): the canary serves while analysis runs; the message says until when. */
  public static final String STEP_PAUSED = "StepPaused";
  /**
   * (Progressing) Before a new canary is published, agents still serving the superseded canary go back to the stable
   * revision first, so agents never run three revisions at once.
   */
  public static final String DRAINING = "Draining";
  /**
   * (Healthy; Progressing=False) The last rollout ended with the candidate promoted to stable (also used when there
   * was nothing to roll out).
   */
  public static final String ROLLOUT_COMPLETED = "RolloutCompleted";
  /** (Ready=False) A rollout runs; Ready turns True once it completes and every agent serves the new revision. */
  public static final String ROLLOUT_IN_PROGRESS = "RolloutInProgress";
  /** (Ready=False) The current revision is stable but some live matched agents do not serve it yet. */
  public static final String AGENTS_CONVERGING = "AgentsConverging";
  /**
   * (Paused) An indefinite pause step: set the annotation {@code cacheplane.io/promote} (or {@code promote-full}) to a
   * new token to go on, or {@code cacheplane.io/abort} to go back.
   */
  public static final String AWAITING_PROMOTE = "AwaitingPromote";
  /** (Paused) {@code spec.paused} is true: the rollout is frozen at its step, timers stop; set it false to resume. */
  public static final String SPEC_PAUSED = "SpecPaused";
  /**
   * (Paused) The bake time is over but analysis never had enough requests (minRequests) before the progress deadline:
   * inconclusive is never a pass. Promote to go on, or abort.
   */
  public static final String ANALYSIS_INCONCLUSIVE = "AnalysisInconclusive";
  /** (Paused=False) The rollout is not waiting for anyone. */
  public static final String NOT_PAUSED = "NotPaused";
  /**
   * (Degraded; Ready=False) The canary was rolled back automatically: an agent rejected it (NACK; the message names
   * the agent and its reason), or analysis found its error rate too high. The stable revision serves; fix the spec
   * (a new revision starts a new rollout) or set {@code cacheplane.io/retry}.
   */
  public static final String ROLLED_BACK = "RolledBack";
  /** (Degraded; Ready=False) The rollout was aborted by {@code cacheplane.io/abort}; set {@code cacheplane.io/retry}. */
  public static final String ABORTED = "Aborted";
  /**
   * (Degraded; Ready=False) Canary agents did not acknowledge a step within {@code progressDeadline} (no ACK is never
   * success): rolled back. Check the agents' health and logs.
   */
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  /**
   * (Degraded) A matched agent does not list the envelope schema version in its Lease annotation
   * {@code cacheplane.io/schema-versions}; nothing new is published. Upgrade the agents (the message names them).
   */
  public static final String AGENTS_OUTDATED = "AgentsOutdated";
  /**
   * (Ready=False, Degraded=True, phase Degraded; the message names the selector) The policy's agentSelector matches
   * no live agent: the revision is published, and the rollout completes at once instead of waiting for
   * acknowledgements that cannot come; when matching agents appear they get it and the policy becomes Ready. Check
   * the selector against the agents' pod labels ({@code kubectl cacheplane agents}), or the agents' health.
   */
  public static final String NO_MATCHING_AGENTS = "NoMatchingAgents";

  /** Every reason the operator writes, in the order above. */
  public static final List<String> REASONS = List.of(PUBLISHED, INVALID_SPEC, CACHE_POLICY_NOT_FOUND,
      PAYLOAD_TOO_LARGE, PUBLISH_FAILED, CONFIG_MAP_CONFLICT, STEP_SET_WEIGHT, STEP_PAUSED, DRAINING,
      ROLLOUT_COMPLETED, ROLLOUT_IN_PROGRESS, AGENTS_CONVERGING, AWAITING_PROMOTE, SPEC_PAUSED, ANALYSIS_INCONCLUSIVE,
      NOT_PAUSED, ROLLED_BACK, ABORTED, PROGRESS_DEADLINE_EXCEEDED, AGENTS_OUTDATED, NO_MATCHING_AGENTS);

  private PolicyConditions() {}
}

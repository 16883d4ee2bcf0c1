package io.cacheplane.api.v1alpha1;

/** Summary of a policy's state in {@code status.phase}; Argo CD health scripts and printer columns read it. */
public enum PolicyPhase {
  /** Accepted, nothing published yet. */
  Pending,
  /** A revision is being rolled out. */
  Progressing,
  /** The rollout waits: {@code spec.paused}, or an indefinite pause step. */
  Paused,
  /** The current generation's revision is the stable one. */
  Healthy,
  /** Something went wrong (e.g. a rollback, a missing reference); see the conditions. */
  Degraded,
  /** The spec is invalid; nothing was published for it. */
  Invalid
}

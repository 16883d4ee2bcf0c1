package io.cacheplane.agent.config;

/**
 * Rejection reasons an agent reports (CamelCase, as the operator's status reasons). The first four come from
 * {@link io.cacheplane.api.contract.EnvelopeCodec}; {@link #APPLY_FAILED} is the agent's own.
 */
public final class Reasons {

  /** Not YAML, duplicate keys, missing fields, no envelope key. */
  public static final String MALFORMED_ENVELOPE = "MalformedEnvelope";
  /** A schemaVersion this agent cannot read. */
  public static final String UNSUPPORTED_SCHEMA_VERSION = "UnsupportedSchemaVersion";
  /** The revision does not match its spec's hash (a hand-edited ConfigMap). */
  public static final String REVISION_MISMATCH = "RevisionMismatch";
  /** The spec does not validate. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** The spec validated but could not be put in force here (e.g. a backend does not resolve). */
  public static final String APPLY_FAILED = "ApplyFailed";

  private Reasons() {}
}

package io.cacheplane.operator.status;

/**
 * The CamelCase reasons the operator writes into {@code status.conditions[].reason}. Argo CD health scripts,
 * {@code kubectl wait} pipelines and alerts match on these strings: they are public API, do not rename them.
 * Details always go into the condition's {@code message}.
 */
public final class Reasons {

  /** The spec is valid and its envelope is published in the policy's ConfigMap. */
  public static final String PUBLISHED = "Published";
  /** The spec breaks one or more validation rules; nothing was published for this generation. */
  public static final String INVALID_SPEC = "InvalidSpec";
  /** A RoutePolicy route names a CachePolicy that does not exist in the namespace; nothing new was published. */
  public static final String CACHE_POLICY_NOT_FOUND = "CachePolicyNotFound";
  /** The rendered envelope exceeds the size limit (see {@code EnvelopeRenderer.MAX_ENVELOPE_BYTES}); not written. */
  public static final String PAYLOAD_TOO_LARGE = "PayloadTooLarge";
  /** The API server refused the ConfigMap write (e.g. forbidden); retried later, the old envelope stays. */
  public static final String PUBLISH_FAILED = "PublishFailed";

  private Reasons() {}
}

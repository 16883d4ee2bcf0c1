package io.cacheplane.api.contract;

/** An envelope that must not be applied; the message says why and is reported to the operator as-is. */
public class EnvelopeException extends Exception {

  /** Not YAML, duplicate keys, missing or blank required fields, wrong shape. */
  public static final String MALFORMED_ENVELOPE = "MalformedEnvelope";
  /** A {@code schemaVersion} this build does not read. */
  public static final String UNSUPPORTED_SCHEMA_VERSION = "UnsupportedSchemaVersion";
  /** A revision whose hash does not match its spec (the ConfigMap was edited by hand). */
  public static final String REVISION_MISMATCH = "RevisionMismatch";
  /** A spec that breaks a validation rule. */
  public static final String INVALID_SPEC = "InvalidSpec";

  /** CamelCase reason, e.g. {@code MalformedEnvelope}, {@code UnsupportedSchemaVersion}, {@code RevisionMismatch}. */
  private final String reason;

  public EnvelopeException(String reason, String message) {
    super(message);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}

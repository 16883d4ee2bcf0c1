package io.cacheplane.api.contract;

/** An envelope that must not be applied; the message says why and is reported to the operator as-is. */
public class EnvelopeException extends Exception {

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

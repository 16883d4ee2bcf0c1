package io.cacheplane.api.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.validation.Violation;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes and reads envelopes. Writing is deterministic (same envelope → same bytes), so an unchanged
 * policy renders byte-identical ConfigMaps. Reading is strict: duplicate keys, unknown schema versions,
 * a revision that does not match its spec, or an invalid spec reject the envelope whole.
 */
public final class EnvelopeCodec {

  /** Schema versions this build can read. */
  public static final Set<Integer> SUPPORTED_SCHEMA_VERSIONS = Set.of(Envelope.SCHEMA_VERSION);

  private EnvelopeCodec() {}

  /** The envelope as YAML text (UTF-8 when stored). */
  public static String encode(Envelope envelope) {
    try {
      return Json.YAML.writeValueAsString(envelope);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("envelope cannot be written: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Parses and checks the envelope's frame: YAML syntax, no duplicate keys, a supported schemaVersion, a known
   * kind, name, uid, sequence, and at least one revision.
   *
   * @throws EnvelopeException with reason {@code MalformedEnvelope} or {@code UnsupportedSchemaVersion}
   */
  public static Envelope decode(String yaml) throws EnvelopeException {
    if (yaml == null || yaml.isBlank()) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "the ConfigMap has no " + Envelope.DATA_KEY + " (or it is blank)");
    }
    Envelope envelope;
    try {
      envelope = Json.YAML.readValue(yaml, Envelope.class);
    } catch (JsonProcessingException e) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "not a valid envelope: " + oneLine(e.getOriginalMessage()));
    }
    if (envelope == null) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "the envelope is empty");
    }
    if (envelope.schemaVersion() == null) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "schemaVersion is required");
    }
    if (!SUPPORTED_SCHEMA_VERSIONS.contains(envelope.schemaVersion())) {
      throw new EnvelopeException(EnvelopeException.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion " + envelope.schemaVersion()
          + " is not supported; this agent reads " + SUPPORTED_SCHEMA_VERSIONS);
    }
    if (!CacheplaneApi.KIND_CACHE_POLICY.equals(envelope.kind()) && !CacheplaneApi.KIND_ROUTE_POLICY.equals(envelope.kind())) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "kind must be CachePolicy or RoutePolicy, got " + envelope.kind());
    }
    if (blank(envelope.name()) || blank(envelope.uid())) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "name and uid are required");
    }
    if (envelope.sequence() == null || envelope.sequence() < 0) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "sequence must be a number >= 0, got " + envelope.sequence());
    }
    if (envelope.stable() == null && envelope.canary() == null) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "an envelope needs a stable or a canary revision");
    }
    if (envelope.canary() != null && envelope.canary().threshold() == null) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "canary.threshold is required");
    }
    return envelope;
  }

  /**
   * Checks one revision of a decoded envelope: the revision matches the spec's hash, the spec is of the
   * envelope's kind and valid by {@link PolicyValidator}.
   *
   * @param kind the envelope's kind
   * @param published {@code envelope.stable()} or {@code envelope.canary()}
   * @throws EnvelopeException with reason {@code MalformedEnvelope}, {@code RevisionMismatch} or {@code InvalidSpec}
   */
  public static DecodedRevision check(String kind, PublishedRevision published) throws EnvelopeException {
    if (published.spec() == null || !published.spec().isObject() || blank(published.revision())) {
      throw new EnvelopeException(EnvelopeException.MALFORMED_ENVELOPE, "a revision needs a revision hash and a spec object");
    }
    String actual = Revisions.of(published.spec());
    if (!actual.equals(published.revision())) {
      throw new EnvelopeException(EnvelopeException.REVISION_MISMATCH, "revision " + published.revision()
          + " does not match its spec (hash " + actual + "): the ConfigMap was edited by hand, or written by an "
          + "operator whose envelope encoding differs from this agent's");
    }
    PolicySpec spec;
    List<Violation> violations;
    try {
      if (CacheplaneApi.KIND_CACHE_POLICY.equals(kind)) {
        CachePolicySpec s = Json.JSON.treeToValue(published.spec(), CachePolicySpec.class);
        violations = PolicyValidator.validate(s);
        spec = s;
      } else {
        RoutePolicySpec s = Json.JSON.treeToValue(published.spec(), RoutePolicySpec.class);
        violations = PolicyValidator.validate(s);
        spec = s;
      }
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw new EnvelopeException(EnvelopeException.INVALID_SPEC, "spec does not fit " + kind + ": " + oneLine(e.getMessage()));
    }
    if (!violations.isEmpty()) {
      throw new EnvelopeException(EnvelopeException.INVALID_SPEC, violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    }
    long generation = published.generation() == null ? 0 : published.generation();
    return new DecodedRevision(published.revision(), generation, spec);
  }

  /** A revision entry for an envelope, computed from a policy's spec. */
  public static PublishedRevision publish(PolicySpec spec, long generation, Long threshold) {
    JsonNode executable = Revisions.executableSpec(spec);
    return new PublishedRevision(Revisions.of(executable), generation, executable, threshold);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  private static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String line = s.replaceAll("\\s+", " ").trim();
    return line.length() <= 300 ? line : line.substring(0, 297) + "...";
  }
}

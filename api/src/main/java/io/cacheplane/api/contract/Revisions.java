package io.cacheplane.api.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cacheplane.api.v1alpha1.PolicySpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Revision hashing (DESIGN.md, "Envelope and ConfigMap"): the first 16 hex characters of SHA-256 over the
 * canonical JSON (keys sorted at every level, no whitespace, no nulls) of the executable spec, i.e. the
 * spec as the user wrote it without {@code rollout}, {@code paused} and {@code agentSelector}.
 */
public final class Revisions {

  /** Spec fields that steer the rollout rather than the agents; they never change a revision. */
  public static final List<String> NON_EXECUTABLE_FIELDS = List.of("rollout", "paused", "agentSelector");

  /** Length of a revision in hex characters. */
  public static final int LENGTH = 16;

  private Revisions() {}

  /**
   * The executable part of a policy spec, as a JSON tree with keys in sorted order.
   *
   * @param spec a CachePolicySpec or RoutePolicySpec (never null)
   * @return a new object node without {@link #NON_EXECUTABLE_FIELDS}
   */
  public static ObjectNode executableSpec(PolicySpec spec) {
    ObjectNode node = Json.JSON.valueToTree(spec);
    node.remove(NON_EXECUTABLE_FIELDS);
    return canonical(node);
  }

  /**
   * The revision of an executable spec.
   *
   * @param executableSpec the output of {@link #executableSpec}, or the spec read from an envelope
   * @return 16 lower-case hex characters
   */
  public static String of(JsonNode executableSpec) {
    try {
      byte[] canonicalJson = Json.JSON.writeValueAsBytes(Json.JSON.treeToValue(executableSpec, Object.class));
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonicalJson);
      return HexFormat.of().formatHex(digest).substring(0, LENGTH);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("spec cannot be written as JSON: " + e.getOriginalMessage(), e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** SHA-256 of a UTF-8 string as lower-case hex (64 characters). */
  public static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  private static ObjectNode canonical(ObjectNode node) {
    // Going through a Map tree with ORDER_MAP_ENTRIES_BY_KEYS sorts keys at every level.
    return Json.JSON.valueToTree(Json.JSON.convertValue(node, java.util.TreeMap.class));
  }
}

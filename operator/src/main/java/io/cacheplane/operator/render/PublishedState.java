package io.cacheplane.operator.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.contract.Revisions;
import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * What an existing policy ConfigMap says was published, read leniently (a hand-edited or broken envelope still
 * yields its sequence when it has one, so the operator never publishes a lower one). The revisions are the rollout's
 * memory next to status: the stable spec lives only here while a canary rolls out.
 *
 * @param sequence the envelope's {@code sequence}, or {@code null} when absent or unreadable
 * @param stableRevision the envelope's {@code stable.revision}, or {@code null}
 * @param stable the envelope's {@code stable} entry, or {@code null} when absent or unreadable
 * @param canary the envelope's {@code canary} entry (with its threshold), or {@code null}
 */
public record PublishedState(Long sequence, String stableRevision, PublishedRevision stable, PublishedRevision canary) {

  /** Nothing published. */
  public static final PublishedState NONE = new PublishedState(null, null, null, null);

  /** The sequence and stable revision only. */
  public PublishedState(Long sequence, String stableRevision) {
    this(sequence, stableRevision, null, null);
  }

  /** Reads the state of {@code configMap}; {@link #NONE} for {@code null} or an unreadable envelope. */
  public static PublishedState of(ConfigMap configMap) {
    if (configMap == null || configMap.getData() == null) {
      return NONE;
    }
    String yaml = configMap.getData().get(Envelope.DATA_KEY);
    if (yaml == null || yaml.isBlank()) {
      return NONE;
    }
    try {
      JsonNode root = Json.YAML.readTree(yaml);
      if (root == null || !root.isObject()) {
        return NONE;
      }
      JsonNode seq = root.get("sequence");
      JsonNode rev = root.path("stable").get("revision");
      return new PublishedState(seq != null && seq.canConvertToLong() && seq.isIntegralNumber() ? seq.asLong() : null,
          rev != null && rev.isTextual() ? rev.asText() : null, revision(root.get("stable"), false),
          revision(root.get("canary"), true));
    } catch (Exception e) {
      return NONE;
    }
  }

  private static PublishedRevision revision(JsonNode node, boolean canary) {
    if (node == null || !node.isObject()) {
      return null;
    }
    try {
      PublishedRevision r = Json.JSON.treeToValue(node, PublishedRevision.class);
      if (r == null || r.revision() == null || r.spec() == null || !r.spec().isObject()
          || (canary && r.threshold() == null) || !r.revision().equals(Revisions.of(r.spec()))) {
        return null; // a hand-edited spec is not ours to republish
      }
      return canary ? r : new PublishedRevision(r.revision(), r.generation(), r.spec(), null);
    } catch (Exception e) {
      return null;
    }
  }
}

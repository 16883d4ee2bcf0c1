package io.cacheplane.operator.render;

import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.Json;
import io.fabric8.kubernetes.api.model.ConfigMap;

/**
 * What an existing policy ConfigMap says was published, read leniently (a hand-edited or broken envelope still
 * yields its sequence when it has one, so the operator never publishes a lower one).
 *
 * @param sequence the envelope's {@code sequence}, or {@code null} when absent or unreadable
 * @param stableRevision the envelope's {@code stable.revision}, or {@code null}
 */
public record PublishedState(Long sequence, String stableRevision) {

  /** Nothing published. */
  public static final PublishedState NONE = new PublishedState(null, null);

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
          rev != null && rev.isTextual() ? rev.asText() : null);
    } catch (Exception e) {
      return NONE;
    }
  }
}

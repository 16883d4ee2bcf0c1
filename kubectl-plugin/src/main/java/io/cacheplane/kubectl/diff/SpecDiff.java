package io.cacheplane.kubectl.diff;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.PublishedRevision;
import java.util.ArrayList;
import java.util.List;

/**
 * The difference between the stable and the canary executable spec of an envelope, as a unified diff (3 lines of
 * context) of their canonical YAML: keys sorted at every level, the contract's YAML mapper ({@link Json#YAML}), so
 * the same spec always prints the same text and only real changes show.
 */
public final class SpecDiff {

  /** Lines of context around each change. */
  public static final int CONTEXT = 3;

  private SpecDiff() {}

  /**
   * The diff lines ({@code --- stable ...}, {@code +++ canary ...}, hunks); empty when the envelope has no canary or
   * the two specs print the same.
   *
   * @param envelope a decoded envelope ({@code stable} may be absent: a new policy's first canary is diffed against
   *     nothing)
   */
  public static List<String> unified(Envelope envelope) {
    PublishedRevision canary = envelope.canary();
    if (canary == null) {
      return List.of();
    }
    PublishedRevision stable = envelope.stable();
    List<String> before = stable == null ? List.of() : canonicalYaml(stable.spec());
    List<String> after = canonicalYaml(canary.spec());
    if (before.equals(after)) {
      return List.of();
    }
    String from = stable == null ? "stable (none: not yet published)" : "stable " + stable.revision()
        + " (generation " + stable.generation() + ")";
    String to = "canary " + canary.revision() + " (generation " + canary.generation() + ")";
    List<String> diff = new ArrayList<>(UnifiedDiffUtils.generateUnifiedDiff(from, to, before,
        DiffUtils.diff(before, after), CONTEXT));
    if (before.isEmpty() && diff.size() > 2) {
      // GNU diff numbers the empty side's hunk 0,0 (java-diff-utils writes 1,0)
      diff.set(2, diff.get(2).replaceFirst("^@@ -1,0 ", "@@ -0,0 "));
    }
    return diff;
  }

  /**
   * A spec as canonical YAML lines.
   *
   * @param spec a JSON tree (an executable spec), or {@code null} (no lines)
   */
  public static List<String> canonicalYaml(JsonNode spec) {
    if (spec == null || spec.isNull() || spec.isMissingNode()) {
      return List.of();
    }
    try {
      // Through plain maps, so ORDER_MAP_ENTRIES_BY_KEYS sorts keys at every level.
      String yaml = Json.YAML.writeValueAsString(Json.JSON.treeToValue(spec, Object.class));
      return yaml.lines().toList();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("spec cannot be written as YAML: " + e.getOriginalMessage(), e);
    }
  }
}

package io.cacheplane.kubectl.diff;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.PublishedRevision;
import org.junit.jupiter.api.Test;

class SpecDiffTest {

  private static JsonNode json(String text) throws Exception {
    return Json.JSON.readTree(text);
  }

  private static Envelope envelope(PublishedRevision stable, PublishedRevision canary) {
    return new Envelope(1, "CachePolicy", "pages", "uid", 5L, null, stable, canary);
  }

  @Test
  void showsTheChangedLinesWithContextUnderRevisionHeaders() throws Exception {
    PublishedRevision stable = new PublishedRevision("aaaaaaaaaaaaaaaa", 1L,
        json("{\"key\":{\"headers\":[\"Accept\"]},\"cache\":{\"maximumSize\":10000,\"expireAfterWrite\":\"5m\"}}"),
        null);
    PublishedRevision canary = new PublishedRevision("bbbbbbbbbbbbbbbb", 2L,
        // other key order, same content apart from the size: only the size line differs
        json("{\"cache\":{\"expireAfterWrite\":\"5m\",\"maximumSize\":20000},\"key\":{\"headers\":[\"Accept\"]}}"),
        2147483648L);

    assertThat(SpecDiff.unified(envelope(stable, canary))).containsExactly(
        "--- stable aaaaaaaaaaaaaaaa (generation 1)",
        "+++ canary bbbbbbbbbbbbbbbb (generation 2)",
        "@@ -1,6 +1,6 @@",
        " cache:",
        "   expireAfterWrite: \"5m\"",
        "-  maximumSize: 10000",
        "+  maximumSize: 20000",
        " key:",
        "   headers:",
        "   - \"Accept\"");
  }

  @Test
  void aFirstCanaryIsDiffedAgainstNothing() throws Exception {
    PublishedRevision canary = new PublishedRevision("bbbbbbbbbbbbbbbb", 1L, json("{\"cache\":{\"maximumSize\":1}}"),
        0L);
    assertThat(SpecDiff.unified(envelope(null, canary))).containsExactly(
        "--- stable (none: not yet published)",
        "+++ canary bbbbbbbbbbbbbbbb (generation 1)",
        "@@ -0,0 +1,2 @@",
        "+cache:",
        "+  maximumSize: 1");
  }

  @Test
  void noCanaryOrNoChangeIsNoDiff() throws Exception {
    PublishedRevision stable = new PublishedRevision("aaaaaaaaaaaaaaaa", 1L, json("{\"a\":1}"), null);
    assertThat(SpecDiff.unified(envelope(stable, null))).isEmpty();
    PublishedRevision same = new PublishedRevision("aaaaaaaaaaaaaaaa", 2L, json("{\"a\":1}"), 5L);
    assertThat(SpecDiff.unified(envelope(stable, same))).isEmpty();
  }

  @Test
  void canonicalYamlSortsKeysAtEveryLevel() throws Exception {
    assertThat(SpecDiff.canonicalYaml(json("{\"b\":{\"z\":1,\"a\":[{\"d\":1,\"c\":2}]},\"a\":true}")))
        .containsExactly("a: true", "b:", "  a:", "  - c: 2", "    d: 1", "  z: 1");
    assertThat(SpecDiff.canonicalYaml(null)).isEmpty();
  }
}

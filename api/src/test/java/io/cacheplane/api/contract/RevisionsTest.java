package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.Fixtures;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import org.junit.jupiter.api.Test;

class RevisionsTest {

  private static final String SPEC = """
      cache: {maximumSize: 10000, maxEntrySize: 256Ki, expireAfterWrite: 5m}
      key: {queryParameters: [page, size], headers: [Accept-Language]}
      """;
  private static final String SAME_SPEC_OTHER_ORDER = """
      key: {headers: [Accept-Language], queryParameters: [page, size]}
      cache: {expireAfterWrite: 5m, maxEntrySize: 256Ki, maximumSize: 10000}
      """;

  @Test
  void revisionIsAFixedFunctionOfTheSpec() {
    // A golden value, computed independently (sha256 of the canonical JSON shown in
    // executableSpecHasSortedKeysAtEveryLevel): the same spec hashes the same in every JVM and operator version.
    assertThat(revision(SPEC)).isEqualTo("7e4efe3eda2ed3f4").hasSize(Revisions.LENGTH).matches("[0-9a-f]{16}");
  }

  @Test
  void fieldOrderDoesNotMatter() {
    assertThat(revision(SAME_SPEC_OTHER_ORDER)).isEqualTo(revision(SPEC));
  }

  @Test
  void rolloutPausedAndSelectorAreNotPartOfTheRevision() {
    String steered = SPEC + """
        paused: true
        agentSelector: {matchLabels: {tier: edge}}
        rollout: {steps: [{setWeight: 10}, {pause: {}}]}
        """;
    assertThat(revision(steered)).isEqualTo(revision(SPEC));
    assertThat(Revisions.executableSpec(Fixtures.yaml(steered, CachePolicySpec.class)).fieldNames())
        .toIterable().containsExactly("cache", "key");
  }

  @Test
  void anyExecutableChangeChangesTheRevision() {
    assertThat(revision(SPEC.replace("5m", "6m"))).isNotEqualTo(revision(SPEC));
    assertThat(revision(SPEC.replace("page, size", "size, page"))).as("list order is meaningful")
        .isNotEqualTo(revision(SPEC));
  }

  @Test
  void executableSpecHasSortedKeysAtEveryLevel() {
    CachePolicySpec spec = Fixtures.yaml(SAME_SPEC_OTHER_ORDER, CachePolicySpec.class);
    assertThat(Revisions.executableSpec(spec).toString())
        .isEqualTo("{\"cache\":{\"expireAfterWrite\":\"5m\",\"maxEntrySize\":\"256Ki\",\"maximumSize\":10000},"
            + "\"key\":{\"headers\":[\"Accept-Language\"],\"queryParameters\":[\"page\",\"size\"]}}");
  }

  @Test
  void revisionOfTheSpecReadBackFromAnEnvelopeIsTheSame() {
    RoutePolicySpec spec = Fixtures.storefront().getSpec();
    PublishedRevision published = EnvelopeCodec.publish(spec, 3, null);
    String yaml = EnvelopeCodec.encode(new Envelope(1, "RoutePolicy", "storefront", "u-1", 1L, null, published, null));
    PublishedRevision readBack = assertDecodes(yaml).stable();
    assertThat(Revisions.of(readBack.spec())).isEqualTo(published.revision());
  }

  private static Envelope assertDecodes(String yaml) {
    try {
      return EnvelopeCodec.decode(yaml);
    } catch (EnvelopeException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }

  private static String revision(String specYaml) {
    return Revisions.of(Revisions.executableSpec(Fixtures.yaml(specYaml, CachePolicySpec.class)));
  }
}

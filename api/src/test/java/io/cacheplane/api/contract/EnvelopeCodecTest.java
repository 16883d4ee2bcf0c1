package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.api.Fixtures;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnvelopeCodecTest {

  private static Envelope envelope() {
    CachePolicySpec spec = Fixtures.productPages().getSpec();
    return new Envelope(1, "CachePolicy", "product-pages", "uid-1", 7L,
        new LabelSelectorBuilder().addToMatchLabels("app.kubernetes.io/name", "cacheplane-agent").build(),
        EnvelopeCodec.publish(spec, 2, null), null);
  }

  @Test
  void roundTripKeepsEveryFieldAndTheSpecChecksOut() throws EnvelopeException {
    String yaml = EnvelopeCodec.encode(envelope());
    Envelope back = EnvelopeCodec.decode(yaml);
    assertThat(EnvelopeCodec.encode(back)).isEqualTo(yaml);
    assertThat(back.sequence()).isEqualTo(7L);
    assertThat(back.agentSelector().getMatchLabels()).containsEntry("app.kubernetes.io/name", "cacheplane-agent");
    DecodedRevision stable = EnvelopeCodec.check(back.kind(), back.stable());
    assertThat(stable.revision()).isEqualTo(envelope().stable().revision());
    assertThat(stable.generation()).isEqualTo(2);
    assertThat(((CachePolicySpec) stable.spec()).getCache().getMaximumSize()).isEqualTo(10000L);
    assertThat(((CachePolicySpec) stable.spec()).getRollout()).as("rollout is not executable").isNull();
  }

  @Test
  void encodingIsDeterministicAndReadable() {
    String yaml = EnvelopeCodec.encode(envelope());
    assertThat(EnvelopeCodec.encode(envelope())).isEqualTo(yaml);
    assertThat(yaml).startsWith("schemaVersion: 1\nkind: \"CachePolicy\"\nname: \"product-pages\"\nuid: \"uid-1\"\nsequence: 7\n");
    assertThat(yaml).doesNotContain("null");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "blank|'   '",
      "not YAML|{{{{ not: yaml",
      "a scalar|just text",
      "tabs for indentation|schemaVersion: 1\\nkind: CachePolicy\\nstable:\\n\\trevision: x",
      "truncated|schemaVersion: 1\\nkind: CachePolicy\\nname: p\\nuid: u\\nsequence: 1\\nstable: {revision: abc, spec: {cache: {maximumSi",
      "duplicate key|schemaVersion: 1\\nkind: CachePolicy\\nkind: RoutePolicy\\nname: p\\nuid: u\\nsequence: 1\\nstable: {revision: a, spec: {}}",
      "unknown kind|schemaVersion: 1\\nkind: Secret\\nname: p\\nuid: u\\nsequence: 1\\nstable: {revision: a, spec: {}}",
      "no revision at all|schemaVersion: 1\\nkind: CachePolicy\\nname: p\\nuid: u\\nsequence: 1",
      "blank name|schemaVersion: 1\\nkind: CachePolicy\\nname: ' '\\nuid: u\\nsequence: 1\\nstable: {revision: a, spec: {}}",
      "negative sequence|schemaVersion: 1\\nkind: CachePolicy\\nname: p\\nuid: u\\nsequence: -1\\nstable: {revision: a, spec: {}}",
      "canary without threshold|schemaVersion: 1\\nkind: CachePolicy\\nname: p\\nuid: u\\nsequence: 1\\ncanary: {revision: a, spec: {}}",
  })
  void malformedEnvelopesAreRefusedWithAReason(String name, String yaml) {
    assertThatThrownBy(() -> EnvelopeCodec.decode(yaml.replace("\\n", "\n").replace("\\t", "\t")))
        .isInstanceOf(EnvelopeException.class)
        .satisfies(e -> assertThat(((EnvelopeException) e).reason()).isEqualTo("MalformedEnvelope"))
        .hasMessageNotContaining("Exception");
  }

  @Test
  void billionLaughsIsRefused() {
    StringBuilder yaml = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char p = (char) (c - 1);
      yaml.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*").append(p).append("]\n");
    }
    assertThatThrownBy(() -> EnvelopeCodec.decode(yaml.toString())).isInstanceOf(EnvelopeException.class);
  }

  @Test
  void unknownSchemaVersionIsRefusedByName() {
    String yaml = EnvelopeCodec.encode(envelope()).replace("schemaVersion: 1", "schemaVersion: 2");
    assertThatThrownBy(() -> EnvelopeCodec.decode(yaml))
        .isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("schemaVersion 2 is not supported")
        .satisfies(e -> assertThat(((EnvelopeException) e).reason()).isEqualTo("UnsupportedSchemaVersion"));
  }

  @Test
  void handEditedSpecFailsTheRevisionCheck() throws EnvelopeException {
    String yaml = EnvelopeCodec.encode(envelope()).replace("maximumSize: 10000", "maximumSize: 5");
    Envelope edited = EnvelopeCodec.decode(yaml);
    assertThatThrownBy(() -> EnvelopeCodec.check(edited.kind(), edited.stable()))
        .isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("does not match its spec")
        .satisfies(e -> assertThat(((EnvelopeException) e).reason()).isEqualTo("RevisionMismatch"));
  }

  @Test
  void invalidSpecWithAMatchingRevisionIsStillRefused() throws EnvelopeException {
    CachePolicySpec bad = Fixtures.yaml("cache: {maximumSize: 10, maximumWeight: 1Mi}", CachePolicySpec.class);
    Envelope envelope = new Envelope(1, "CachePolicy", "p", "u", 1L, null, EnvelopeCodec.publish(bad, 1, null), null);
    Envelope decoded = EnvelopeCodec.decode(EnvelopeCodec.encode(envelope));
    assertThatThrownBy(() -> EnvelopeCodec.check(decoded.kind(), decoded.stable()))
        .isInstanceOf(EnvelopeException.class)
        .hasMessageContaining("spec.cache.maximumWeight: maximumSize and maximumWeight are mutually exclusive")
        .satisfies(e -> assertThat(((EnvelopeException) e).reason()).isEqualTo("InvalidSpec"));
  }

  @Test
  void specOfTheWrongShapeIsInvalidNotACrash() throws Exception {
    String yaml = """
        schemaVersion: 1
        kind: CachePolicy
        name: p
        uid: u
        sequence: 1
        stable:
          revision: %s
          spec: {cache: {maximumSize: "lots"}}
        """;
    String revision = Revisions.of(Json.JSON.readTree("{\"cache\":{\"maximumSize\":\"lots\"}}".getBytes()) );
    Envelope decoded = EnvelopeCodec.decode(yaml.formatted(revision));
    assertThatThrownBy(() -> EnvelopeCodec.check(decoded.kind(), decoded.stable()))
        .isInstanceOf(EnvelopeException.class)
        .satisfies(e -> assertThat(((EnvelopeException) e).reason()).isEqualTo("InvalidSpec"));
  }

}

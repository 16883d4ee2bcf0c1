package io.cacheplane.operator.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.DecodedRevision;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.operator.Fixtures;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class EnvelopeRendererTest {

  private static final PolicyRef POLICY = new PolicyRef("CachePolicy", "shop", "pages", "uid-1");

  private static RenderedConfigMap render(PolicyRef policy, CachePolicySpec spec, long generation, long sequence) {
    PublishedRevision stable = EnvelopeCodec.publish(spec, generation, null);
    return EnvelopeRenderer.render(policy, spec.getAgentSelector(), stable, null, sequence);
  }

  @Test
  void carriesOnlyTheContractLabels() {
    ConfigMap cm = render(POLICY, Fixtures.cacheSpec(100), 1, 1).configMap();
    assertThat(cm.getMetadata().getLabels()).isEqualTo(ConfigMapNames.labels("CachePolicy", "pages", "uid-1"))
        .containsOnlyKeys("cacheplane.io/kind", "cacheplane.io/policy-uid", "cacheplane.io/policy",
            "app.kubernetes.io/managed-by");
    assertThat(cm.getMetadata().getAnnotations()).isNullOrEmpty();
  }

  @Test
  void isOwnedByThePolicyAsController() {
    ConfigMap cm = render(POLICY, Fixtures.cacheSpec(100), 1, 1).configMap();
    assertThat(cm.getMetadata().getOwnerReferences()).singleElement().satisfies((OwnerReference o) -> {
      assertThat(o.getApiVersion()).isEqualTo("cacheplane.io/v1alpha1");
      assertThat(o.getKind()).isEqualTo("CachePolicy");
      assertThat(o.getName()).isEqualTo("pages");
      assertThat(o.getUid()).isEqualTo("uid-1");
      assertThat(o.getController()).isTrue();
      assertThat(o.getBlockOwnerDeletion()).isFalse();
    });
    assertThat(cm.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(cm.getMetadata().getName()).isEqualTo("cachepolicy-pages");
    assertThat(cm.getData()).containsOnlyKeys(Envelope.DATA_KEY);
  }

  @Test
  void envelopeRoundTripsThroughTheAgentsDecoder() throws Exception {
    RenderedConfigMap r = render(POLICY, Fixtures.cacheSpec(100), 3, 9);
    Envelope e = EnvelopeCodec.decode(r.configMap().getData().get(Envelope.DATA_KEY));
    assertThat(e.schemaVersion()).isEqualTo(1);
    assertThat(e.kind()).isEqualTo("CachePolicy");
    assertThat(e.name()).isEqualTo("pages");
    assertThat(e.uid()).isEqualTo("uid-1");
    assertThat(e.sequence()).isEqualTo(9L);
    assertThat(e.canary()).isNull();
    assertThat(e.agentSelector().getMatchLabels()).containsEntry("app", "agent");
    DecodedRevision stable = EnvelopeCodec.check("CachePolicy", e.stable());
    assertThat(stable.generation()).isEqualTo(3L);
    assertThat(stable.revision()).isEqualTo(r.stableRevision()).hasSize(16);
    assertThat(r.sizeBytes()).isEqualTo(r.envelopeYaml().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void sameInputGivesTheSameBytesWhateverTheMapOrder() {
    CachePolicySpec a = Fixtures.cacheSpec(100);
    a.setAgentSelector(new LabelSelectorBuilder().addToMatchLabels("z", "1").addToMatchLabels("a", "2").build());
    CachePolicySpec b = Fixtures.cacheSpec(100);
    b.setAgentSelector(new LabelSelectorBuilder().addToMatchLabels("a", "2").addToMatchLabels("z", "1").build());

    RenderedConfigMap ra = render(POLICY, a, 1, 1);
    RenderedConfigMap rb = render(POLICY, b, 1, 1);

    assertThat(ra.envelopeYaml()).isEqualTo(rb.envelopeYaml());
    assertThat(ra.configMap()).isEqualTo(rb.configMap());
  }

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("short", "pages", "cachepolicy-pages", "pages"),
        Arguments.of("exactly 253", "p".repeat(241), "cachepolicy-" + "p".repeat(241), null),
        Arguments.of("too long", "q".repeat(253), null, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namesAndLabelValuesFollowTheContract(String row, String policyName, String expectedName, String expectedLabel) {
    ConfigMap cm = render(new PolicyRef("CachePolicy", "shop", policyName, "u"), Fixtures.cacheSpec(1), 1, 1).configMap();
    String name = cm.getMetadata().getName();
    assertThat(name).isEqualTo(ConfigMapNames.configMapName("CachePolicy", policyName)).hasSizeLessThanOrEqualTo(253);
    if (expectedName != null) {
      assertThat(name).isEqualTo(expectedName);
    } else {
      assertThat(name).startsWith("cachepolicy-qqq").matches(".*-[0-9a-f]{10}$");
    }
    String label = cm.getMetadata().getLabels().get("cacheplane.io/policy");
    assertThat(label).hasSizeLessThanOrEqualTo(63).isEqualTo(ConfigMapNames.policyLabelValue(policyName));
    if (expectedLabel != null) {
      assertThat(label).isEqualTo(expectedLabel);
    }
  }

  @Test
  void matchesIgnoresForeignAnnotationsButNotForeignLabelsDataOrOwner() {
    RenderedConfigMap r = render(POLICY, Fixtures.cacheSpec(100), 1, 1);
    ConfigMap annotated = new ConfigMapBuilder(r.configMap()).editMetadata().addToAnnotations("x", "y")
        .withResourceVersion("12").endMetadata().build();
    ConfigMap labelled = new ConfigMapBuilder(r.configMap()).editMetadata().addToLabels("argocd.argoproj.io/instance", "a")
        .endMetadata().build();
    ConfigMap edited = new ConfigMapBuilder(r.configMap()).withData(Map.of(Envelope.DATA_KEY, "sequence: 1")).build();
    ConfigMap unowned = new ConfigMapBuilder(r.configMap()).editMetadata().withOwnerReferences().endMetadata().build();

    assertThat(r.matches(annotated)).isTrue();
    assertThat(r.matches(labelled)).isFalse();
    assertThat(r.matches(edited)).isFalse();
    assertThat(r.matches(unowned)).isFalse();
    assertThat(r.matches(null)).isFalse();
  }
}

package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelSelectorsTest {

  private static final Map<String, String> EDGE = Map.of("app", "agent", "tier", "edge");

  @Test
  void absentOrEmptySelectorSelectsEveryAgent() {
    assertThat(LabelSelectors.matches(null, EDGE)).isTrue();
    assertThat(LabelSelectors.matches(new LabelSelector(), Map.of())).isTrue();
  }

  @Test
  void matchLabelsMustAllHold() {
    assertThat(LabelSelectors.matches(sel().addToMatchLabels("app", "agent").build(), EDGE)).isTrue();
    assertThat(LabelSelectors.matches(sel().addToMatchLabels("app", "agent").addToMatchLabels("tier", "core").build(),
        EDGE)).isFalse();
  }

  @Test
  void expressions() {
    assertThat(LabelSelectors.matches(sel().addToMatchExpressions(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("tier", "In", java.util.List.of("edge", "x"))).build(), EDGE)).isTrue();
    assertThat(LabelSelectors.matches(sel().addToMatchExpressions(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("tier", "NotIn", java.util.List.of("edge"))).build(), EDGE)).isFalse();
    assertThat(LabelSelectors.matches(sel().addToMatchExpressions(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("zone", "NotIn", java.util.List.of("a"))).build(), EDGE)).isTrue();
    assertThat(LabelSelectors.matches(sel().addToMatchExpressions(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("app", "Exists", null)).build(), EDGE)).isTrue();
    assertThat(LabelSelectors.matches(sel().addToMatchExpressions(new io.fabric8.kubernetes.api.model.LabelSelectorRequirement("app", "DoesNotExist", null)).build(), EDGE)).isFalse();
  }

  private static LabelSelectorBuilder sel() {
    return new LabelSelectorBuilder();
  }
}

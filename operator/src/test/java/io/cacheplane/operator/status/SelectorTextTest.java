package io.cacheplane.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SelectorTextTest {

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("absent", null, SelectorText.EVERY_AGENT),
        Arguments.of("empty", new LabelSelector(), SelectorText.EVERY_AGENT),
        Arguments.of("labels sorted by key", new LabelSelectorBuilder().withMatchLabels(Map.of("zone", "b", "app",
            "agent")).build(), "app=agent,zone=b"),
        Arguments.of("every operator in order", new LabelSelectorBuilder().withMatchLabels(Map.of("app", "agent"))
            .addNewMatchExpression().withKey("zone").withOperator("In").withValues("a", "b").endMatchExpression()
            .addNewMatchExpression().withKey("tier").withOperator("NotIn").withValues("edge").endMatchExpression()
            .addNewMatchExpression().withKey("canary").withOperator("Exists").endMatchExpression()
            .addNewMatchExpression().withKey("legacy").withOperator("DoesNotExist").endMatchExpression().build(),
            "app=agent,zone in (a,b),tier notin (edge),canary,!legacy"),
        Arguments.of("unknown operator shown as is", new LabelSelectorBuilder().addNewMatchExpression().withKey("k")
            .withOperator("Gt").withValues("1").endMatchExpression().build(), "k Gt (1)"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void formatsLikeKubectl(String row, LabelSelector selector, String text) {
    assertThat(SelectorText.of(selector)).isEqualTo(text);
  }
}

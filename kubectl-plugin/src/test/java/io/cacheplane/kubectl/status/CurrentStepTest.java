package io.cacheplane.kubectl.status;

import static io.cacheplane.kubectl.status.Statuses.condition;
import static io.cacheplane.kubectl.status.Statuses.spec;
import static io.cacheplane.kubectl.status.Statuses.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CurrentStepTest {

  private static PolicyStatus at(Integer index, String progressingMessage) {
    PolicyStatus s = progressingMessage == null ? status(PolicyPhase.Progressing, 1)
        : status(PolicyPhase.Progressing, 1, condition(PolicyConditions.PROGRESSING, "True",
            PolicyConditions.STEP_PAUSED, progressingMessage));
    s.setCurrentStepIndex(index);
    return s;
  }

  static Stream<Arguments> rows() {
    CachePolicySpec steps = spec(10, "1m30s", 50, null, 100);
    CachePolicySpec none = spec();
    return Stream.of(
        Arguments.of("setWeight from spec", steps, at(0, null), new CurrentStep(1, 5, "setWeight 10", null)),
        Arguments.of("timed pause from spec", steps, at(1, null),
            new CurrentStep(2, 5, "pause 1m30s", Duration.ofSeconds(90))),
        Arguments.of("indefinite pause from spec", steps, at(3, null),
            new CurrentStep(4, 5, "pause (until promoted)", null)),
        Arguments.of("past the last step", steps, at(5, null), new CurrentStep(6, 5, null, null)),
        Arguments.of("no rollout", steps, at(null, null), null),
        Arguments.of("negative index", steps, at(-1, null), null),
        Arguments.of("default strategy: from the operator's message", none,
            at(1, "step 2/5 (pause 1m0s): 1 of 4 live agent(s) targeted; bake until 2025-01-01T00:01:00Z"),
            new CurrentStep(2, 5, "pause 1m0s", Duration.ofMinutes(1))),
        Arguments.of("default strategy: setWeight message", none,
            at(0, "step 1/5 (setWeight 10): waiting"), new CurrentStep(1, 5, "setWeight 10", null)),
        Arguments.of("message of another step is not trusted", none, at(2, "step 2/5 (pause 1m0s): x"),
            new CurrentStep(3, null, null, null)),
        Arguments.of("message without a step", none, at(0, "all steps done"), new CurrentStep(1, null, null, null)),
        Arguments.of("bad duration in spec", spec("soon"), at(0, null), new CurrentStep(1, 1, "pause soon", null)),
        Arguments.of("no spec, no message", null, at(0, null), new CurrentStep(1, null, null, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void findsTheStepInSpecOrMessage(String what, CachePolicySpec spec, PolicyStatus status, CurrentStep expected) {
    assertThat(CurrentStep.of(spec, status)).isEqualTo(expected);
  }
}

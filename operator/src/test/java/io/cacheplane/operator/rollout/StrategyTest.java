package io.cacheplane.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.OperatorSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class StrategyTest {

  @Test
  void theBuiltInDefaultResolvesToTheDocumentedNumbers() {
    Strategy s = Strategy.resolve(null, OperatorSettings.DEFAULT_STRATEGY);
    assertThat(s.steps()).extracting(Strategy.Step::describe)
        .containsExactly("setWeight 10", "pause 1m0s", "setWeight 50", "pause 1m0s", "setWeight 100");
    assertThat(s.progressDeadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.analysis()).isEqualTo(new Strategy.Analysis(Duration.ofSeconds(30), 0.05, 20, 1));
  }

  @Test
  void fieldsLeftOutComeFromTheDefault() {
    Strategy s = Strategy.resolve(Strategy.allAtOnce(), OperatorSettings.DEFAULT_STRATEGY);
    assertThat(s.steps()).extracting(Strategy.Step::describe).containsExactly("setWeight 100");
    assertThat(s.analysis()).as("a policy's own rollout is analysed only when it asks for analysis").isNull();
    assertThat(s.progressDeadline()).isEqualTo(Duration.ofMinutes(10));
    assertThat(Strategy.resolve(Strategy.allAtOnce(), Strategy.allAtOnce()).analysis()).isNull();
  }

  @Test
  void theStepsHashChangesWithTheStepsOnly() {
    RolloutStrategy a = Strategy.allAtOnce();
    RolloutStrategy b = Strategy.allAtOnce();
    b.setProgressDeadline("1h");
    assertThat(Strategy.resolve(a, a).stepsHash()).isEqualTo(Strategy.resolve(b, b).stepsHash());
    assertThat(Strategy.resolve(OperatorSettings.DEFAULT_STRATEGY, a).stepsHash())
        .isNotEqualTo(Strategy.resolve(a, a).stepsHash());
  }

  @Test
  void defaultRolloutTextIsParsedAndChecked() {
    RolloutStrategy s = DefaultRollout.parse("steps: [{setWeight: 25}, {pause: {}}]\nprogressDeadline: 5m",
        OperatorSettings.DEFAULT_STRATEGY);
    Strategy r = Strategy.resolve(s, s);
    assertThat(r.steps()).extracting(Strategy.Step::describe).containsExactly("setWeight 25",
        "pause (until promoted)");
    assertThat(r.progressDeadline()).isEqualTo(Duration.ofMinutes(5));
    assertThat(r.analysis()).isNotNull(); // from the built-in default
    assertThat(DefaultRollout.parse("{\"steps\": [{\"setWeight\": 100}]}", OperatorSettings.DEFAULT_STRATEGY)
        .getSteps()).hasSize(1);
    assertThatThrownBy(() -> DefaultRollout.parse("steps: [{setWeight: 120}]", OperatorSettings.DEFAULT_STRATEGY))
        .hasMessageContaining("steps[0].setWeight: must be between 0 and 100");
    assertThatThrownBy(() -> DefaultRollout.parse("progressDeadline: soon", OperatorSettings.DEFAULT_STRATEGY))
        .hasMessageContaining("not a duration: soon");
  }

  @Test
  void durationsAreFormattedGoStyle() {
    assertThat(Strategy.format(Duration.ofSeconds(90))).isEqualTo("1m30s");
    assertThat(Strategy.format(Duration.ofHours(1))).isEqualTo("1h0m0s");
    assertThat(Strategy.format(Duration.ofMillis(250))).isEqualTo("250ms");
  }
}

package io.cacheplane.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ConditionsTest {

  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private static final Instant T1 = Instant.parse("2026-11-29T11:30:15.789Z");

  static Stream<Arguments> transitions() {
    return Stream.of(
        // name, previous status, previous reason, desired status, desired reason, expected lastTransitionTime
        Arguments.of("same status, same reason keeps time", "True", "Published", true, "Published", "2026-11-29T10:00:00Z"),
        Arguments.of("same status, new reason keeps time", "False", "InvalidSpec", false, "CachePolicyNotFound",
            "2026-11-29T10:00:00Z"),
        Arguments.of("flip True to False takes now", "True", "Published", false, "InvalidSpec", "2026-11-29T11:30:15Z"),
        Arguments.of("flip False to True takes now", "False", "InvalidSpec", true, "Published", "2026-11-29T11:30:15Z"),
        Arguments.of("Unknown to True takes now", "Unknown", "Pending", true, "Published", "2026-11-29T11:30:15Z"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transitions")
  void lastTransitionTimeChangesOnlyOnFlip(String name, String prevStatus, String prevReason, boolean status,
      String reason, String expectedTime) {
    List<Condition> previous = List.of(new Condition("2026-11-29T10:00:00Z", "old", 1L, prevReason, prevStatus, "Ready"));

    List<Condition> merged = Conditions.merge(previous,
        List.of(new DesiredCondition("Ready", status, reason, "new message")), 2, T1);

    assertThat(merged).singleElement().satisfies(c -> {
      assertThat(c.getLastTransitionTime()).isEqualTo(expectedTime);
      assertThat(c.getReason()).isEqualTo(reason);
      assertThat(c.getMessage()).isEqualTo("new message");
      assertThat(c.getObservedGeneration()).isEqualTo(2L);
      assertThat(c.getStatus()).isEqualTo(status ? "True" : "False");
    });
  }

  @Test
  void newConditionTakesNowInRfc3339Seconds() {
    List<Condition> merged = Conditions.merge(null, List.of(new DesiredCondition("Degraded", false, "Published", "m")), 1, T1);
    assertThat(merged.get(0).getLastTransitionTime()).isEqualTo("2026-11-29T11:30:15Z");
  }

  @Test
  void keepsForeignConditionsAfterOwnedOnesAndOrdersOwnedAsDesired() {
    Condition paused = new Condition("2026-11-29T09:00:00Z", "p", 1L, "Paused", "True", "Paused");
    Condition ready = new Condition("2026-11-29T10:00:00Z", "r", 1L, "Published", "True", "Ready");
    List<Condition> merged = Conditions.merge(List.of(paused, ready), List.of(
        new DesiredCondition("Ready", true, "Published", "r"),
        new DesiredCondition("Progressing", false, "Published", "r")), 1, T0);

    assertThat(merged).extracting(Condition::getType).containsExactly("Ready", "Progressing", "Paused");
    assertThat(merged.get(2)).isSameAs(paused);
  }

  @Test
  void mergingTheSameDesiredStateTwiceIsEqual() {
    List<DesiredCondition> desired = List.of(new DesiredCondition("Ready", true, "Published", "m"));
    List<Condition> once = Conditions.merge(null, desired, 3, T0);
    List<Condition> twice = Conditions.merge(once, desired, 3, T1);
    assertThat(twice).isEqualTo(once);
  }
}

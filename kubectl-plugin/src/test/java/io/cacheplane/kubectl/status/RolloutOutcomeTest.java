package io.cacheplane.kubectl.status;

import static io.cacheplane.kubectl.status.Statuses.condition;
import static io.cacheplane.kubectl.status.Statuses.policy;
import static io.cacheplane.kubectl.status.Statuses.spec;
import static io.cacheplane.kubectl.status.Statuses.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.kubectl.ExitCodes;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutOutcomeTest {

  private static PolicyStatus ready(PolicyPhase phase, long observed, String status, String reason) {
    return status(phase, observed, condition(PolicyConditions.READY, status, reason, "m"));
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("no status yet", 1L, null, RolloutOutcome.RUNNING),
        Arguments.of("healthy and ready", 2L, ready(PolicyPhase.Healthy, 2, "True", PolicyConditions.PUBLISHED),
            RolloutOutcome.HEALTHY),
        Arguments.of("healthy without conditions", 2L, status(PolicyPhase.Healthy, 2), RolloutOutcome.HEALTHY),
        Arguments.of("healthy but agents still converging", 2L,
            ready(PolicyPhase.Healthy, 2, "False", PolicyConditions.AGENTS_CONVERGING), RolloutOutcome.RUNNING),
        Arguments.of("progressing", 2L, ready(PolicyPhase.Progressing, 2, "False",
            PolicyConditions.ROLLOUT_IN_PROGRESS), RolloutOutcome.RUNNING),
        Arguments.of("paused waits", 2L, ready(PolicyPhase.Paused, 2, "False", PolicyConditions.ROLLOUT_IN_PROGRESS),
            RolloutOutcome.RUNNING),
        Arguments.of("rolled back", 2L, ready(PolicyPhase.Degraded, 2, "False", PolicyConditions.ROLLED_BACK),
            RolloutOutcome.FAILED),
        Arguments.of("aborted", 2L, ready(PolicyPhase.Degraded, 2, "False", PolicyConditions.ABORTED),
            RolloutOutcome.FAILED),
        Arguments.of("deadline exceeded even if phase says Progressing", 2L,
            ready(PolicyPhase.Progressing, 2, "False", PolicyConditions.PROGRESS_DEADLINE_EXCEEDED),
            RolloutOutcome.FAILED),
        Arguments.of("invalid spec", 2L, ready(PolicyPhase.Invalid, 2, "False", PolicyConditions.INVALID_SPEC),
            RolloutOutcome.FAILED),
        Arguments.of("degraded for another reason", 2L,
            ready(PolicyPhase.Degraded, 2, "False", PolicyConditions.CACHE_POLICY_NOT_FOUND), RolloutOutcome.FAILED),
        Arguments.of("an old rollback does not end the watch of a newer spec", 3L,
            ready(PolicyPhase.Degraded, 2, "False", PolicyConditions.ROLLED_BACK), RolloutOutcome.RUNNING),
        Arguments.of("an old Healthy neither", 3L, ready(PolicyPhase.Healthy, 2, "True", PolicyConditions.PUBLISHED),
            RolloutOutcome.RUNNING));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void decidesWhetherTheWatchEnds(String what, long generation, PolicyStatus status, RolloutOutcome expected) {
    RolloutOutcome outcome = RolloutOutcome.of(policy(generation, spec(), status));
    assertThat(outcome).isEqualTo(expected);
    assertThat(outcome.exitCode())
        .isEqualTo(expected == RolloutOutcome.FAILED ? ExitCodes.ROLLOUT_FAILED : ExitCodes.OK);
  }
}

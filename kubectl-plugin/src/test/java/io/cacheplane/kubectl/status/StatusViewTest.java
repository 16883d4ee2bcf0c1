package io.cacheplane.kubectl.status;

import static io.cacheplane.kubectl.status.Statuses.condition;
import static io.cacheplane.kubectl.status.Statuses.policy;
import static io.cacheplane.kubectl.status.Statuses.spec;
import static io.cacheplane.kubectl.status.Statuses.status;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.AbortedRollout;
import io.cacheplane.api.v1alpha1.AgentCounts;
import io.cacheplane.api.v1alpha1.AnalysisStatus;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusViewTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private static PolicyStatus baking(Instant stepStartedAt) {
    PolicyStatus s = status(PolicyPhase.Progressing, 2,
        condition(PolicyConditions.READY, "False", PolicyConditions.ROLLOUT_IN_PROGRESS,
            "rollout of revision bbbbbbbbbbbbbbbb in progress"),
        condition(PolicyConditions.PROGRESSING, "True", PolicyConditions.STEP_PAUSED,
            "step 2/3 (pause 10m0s): 1 of 10 live agent(s) targeted"),
        condition(PolicyConditions.PAUSED, "False", PolicyConditions.NOT_PAUSED, ""),
        condition(PolicyConditions.DEGRADED, "False", PolicyConditions.PUBLISHED, ""));
    s.setStableRevision("aaaaaaaaaaaaaaaa");
    s.setCanaryRevision("bbbbbbbbbbbbbbbb");
    s.setCurrentStepIndex(1);
    s.setCanaryWeight(10);
    s.setCurrentStepStartedAt(stepStartedAt.toString());
    AgentCounts a = new AgentCounts();
    a.setMatched(10);
    a.setStable(6);
    a.setCanary(1);
    a.setRejected(1);
    a.setStale(2);
    s.setAgents(a);
    s.setHistory(List.of(new RevisionHistoryEntry("0000000000000000", 1L, "Superseded", "2025-05-31T10:00:00Z"),
        new RevisionHistoryEntry("aaaaaaaaaaaaaaaa", 1L, "Promoted", "2025-05-31T11:00:00Z")));
    s.setLastConvergenceSeconds(42L);
    return s;
  }

  @Test
  void aBakingRolloutShowsEverything() {
    List<String> lines = StatusView.lines(policy(2, spec(10, "10m", 100), baking(NOW.minusSeconds(150))), NOW);
    assertThat(lines).containsExactly(
        "Name:          pages",
        "Kind:          CachePolicy",
        "Namespace:     shop",
        "Phase:         Progressing",
        "Ready:         False  RolloutInProgress: rollout of revision bbbbbbbbbbbbbbbb in progress",
        "Step:          2/3 (pause 10m)",
        "Canary weight: 10%",
        "Stable:        aaaaaaaaaaaaaaaa",
        "Canary:        bbbbbbbbbbbbbbbb",
        "Bake:          [#####---------------]  25%  7m30s left of 10m0s",
        "Agents:        [##############------]  70%  7/10 matched agents serve a revision (stable 6, canary 1;"
            + " rejected 1, stale 2)",
        "Progressing:   True  StepPaused: step 2/3 (pause 10m0s): 1 of 10 live agent(s) targeted",
        "Last history:  aaaaaaaaaaaaaaaa Promoted (generation 1) at 2025-05-31T11:00:00Z",
        "Convergence:   42s (last completed revision, publish to every agent)");
  }

  static Stream<Arguments> bakes() {
    return Stream.of(
        Arguments.of("just started", NOW, null, "[--------------------]   0%  10m0s left of 10m0s"),
        Arguments.of("half a second in: time left rounds up", NOW.minusMillis(500), null,
            "[--------------------]   0%  10m0s left of 10m0s"),
        Arguments.of("9 of 10 minutes", NOW.minusSeconds(540), null, "[##################--]  90%  1m0s left of 10m0s"),
        Arguments.of("over", NOW.minusSeconds(3600), null, "[####################] 100%  bake time over"),
        Arguments.of("frozen by spec.paused: counts to the pause", NOW.minusSeconds(3600),
            NOW.minusSeconds(3300), "[##########----------]  50%  5m0s left of 10m0s (frozen: spec.paused)"),
        Arguments.of("clock behind the operator's", NOW.plusSeconds(30), null,
            "[--------------------]   0%  10m0s left of 10m0s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bakes")
  void theBakeCountsFromTheStepStart(String what, Instant started, Instant pausedAt, String bar) {
    PolicyStatus s = baking(started);
    s.setPausedAt(pausedAt == null ? null : pausedAt.toString());
    assertThat(StatusView.lines(policy(2, spec(10, "10m", 100), s), NOW)).contains("Bake:          " + bar);
  }

  @Test
  void noBakeLineOutsideATimedPause() {
    PolicyStatus s = baking(NOW);
    s.setCurrentStepIndex(0);
    assertThat(StatusView.lines(policy(2, spec(10, "10m", 100), s), NOW))
        .contains("Step:          1/3 (setWeight 10)").noneMatch(l -> l.startsWith("Bake:"));
    s.setCurrentStepStartedAt("not a time");
    s.setCurrentStepIndex(1);
    assertThat(StatusView.lines(policy(2, spec(10, "10m", 100), s), NOW)).noneMatch(l -> l.startsWith("Bake:"));
  }

  @Test
  void aRolledBackPolicyShowsTheDegradedReasonAndWhatWasTakenBack() {
    PolicyStatus s = status(PolicyPhase.Degraded, 3,
        condition(PolicyConditions.READY, "False", PolicyConditions.ROLLED_BACK, "agent a rejected revision b"),
        condition(PolicyConditions.DEGRADED, "True", PolicyConditions.ROLLED_BACK, "agent a rejected revision b"));
    s.setStableRevision("aaaaaaaaaaaaaaaa");
    s.setAborted(new AbortedRollout("bbbbbbbbbbbbbbbb", 3L, "RolledBack", "agent a rejected it",
        "2025-06-01T11:59:00Z"));
    assertThat(StatusView.lines(policy(3, spec(), s), NOW)).containsExactly(
        "Name:          pages",
        "Kind:          CachePolicy",
        "Namespace:     shop",
        "Phase:         Degraded",
        "Ready:         False  RolledBack: agent a rejected revision b",
        "Stable:        aaaaaaaaaaaaaaaa",
        "Agents:        - (no agent reports yet)",
        "Degraded:      True  RolledBack: agent a rejected revision b",
        "Taken back:    bbbbbbbbbbbbbbbb RolledBack at 2025-06-01T11:59:00Z: agent a rejected it");
  }

  @Test
  void theLastAnalysisVerdictIsShownWithTheFailureCount() {
    PolicyStatus s = baking(NOW);
    AnalysisStatus analysis = new AnalysisStatus();
    analysis.setLastResult("canary 0.4% errors of 250 requests, stable 0.3%: pass");
    analysis.setFailures(1);
    s.setAnalysis(analysis);
    assertThat(StatusView.lines(policy(2, spec(10, "10m", 100), s), NOW)).contains(
        "Analysis:      canary 0.4% errors of 250 requests, stable 0.3%: pass (failed intervals: 1)");
    assertThat(StatusView.lines(policy(2, spec(10, "10m", 100), baking(NOW)), NOW))
        .noneMatch(l -> l.startsWith("Analysis:"));
  }

  @Test
  void aStatusBehindTheSpecSaysSo() {
    PolicyStatus s = status(PolicyPhase.Healthy, 1);
    assertThat(StatusView.lines(policy(2, spec(), s), NOW)).contains(
        "Generation:    observed 1 of 2 (the operator has not acted on the newest spec yet)");
  }

  @Test
  void noStatusYet() {
    assertThat(StatusView.lines(policy(1, spec(), null), NOW)).containsExactly(
        "Name:          pages",
        "Kind:          CachePolicy",
        "Namespace:     shop",
        "Phase:         - (no status yet: is the operator running and watching this namespace?)");
  }

  @Test
  void hostileTextCannotDriveTheTerminal() {
    PolicyStatus s = status(PolicyPhase.Progressing, 1,
        condition(PolicyConditions.READY, "False", "X\u001b[2J",
            "line1\nline2\u001b]0;title\u0007" + "y".repeat(5000)));
    List<String> lines = StatusView.lines(policy(1, spec(), s), NOW);
    assertThat(String.join("\n", lines)).doesNotContain("\u001b", "\u0007");
    String ready = lines.stream().filter(l -> l.startsWith("Ready:")).findFirst().orElseThrow();
    assertThat(ready).startsWith("Ready:         False  X?[2J: line1?line2?]0;title?yyy").endsWith("…")
        .hasSizeLessThan(2100);
  }
}

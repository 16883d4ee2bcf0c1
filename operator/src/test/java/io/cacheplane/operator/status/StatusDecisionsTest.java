package io.cacheplane.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.AgentCounts;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.operator.status.Outcome.Result;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StatusDecisionsTest {

  private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

  static Stream<Arguments> outcomes() {
    return Stream.of(
        Arguments.of(Result.PUBLISHED, PolicyPhase.Healthy, "True", "False", "Published"),
        Arguments.of(Result.INVALID_SPEC, PolicyPhase.Invalid, "False", "True", "InvalidSpec"),
        Arguments.of(Result.CACHE_POLICY_NOT_FOUND, PolicyPhase.Degraded, "False", "True", "CachePolicyNotFound"),
        Arguments.of(Result.PAYLOAD_TOO_LARGE, PolicyPhase.Degraded, "False", "True", "PayloadTooLarge"),
        Arguments.of(Result.PUBLISH_FAILED, PolicyPhase.Degraded, "False", "True", "PublishFailed"),
        Arguments.of(Result.CONFIG_MAP_CONFLICT, PolicyPhase.Degraded, "False", "True", "ConfigMapConflict"));
  }

  @ParameterizedTest(name = "{0} -> phase {1}, Ready={2}, Degraded={3}")
  @MethodSource("outcomes")
  void outcomeSetsPhaseAndConditions(Result result, PolicyPhase phase, String ready, String degraded, String reason) {
    PolicyStatus s = StatusDecisions.next(null, 4, new Outcome(result, "detail", 7L, "abc"), NOW);

    assertThat(s.getPhase()).isEqualTo(phase);
    assertThat(s.getObservedGeneration()).isEqualTo(4L);
    assertThat(s.getSequence()).isEqualTo(7L);
    assertThat(s.getStableRevision()).isEqualTo("abc");
    assertThat(s.getCanaryRevision()).isNull();
    assertThat(s.getCanaryWeight()).isZero();
    assertThat(s.getConditions()).extracting(Condition::getType)
        .containsExactly("Ready", "Progressing", "Degraded", "Paused");
    assertThat(Conditions.find(s.getConditions(), "Paused").getStatus()).isEqualTo("False");
    assertThat(Conditions.find(s.getConditions(), "Ready").getStatus()).isEqualTo(ready);
    assertThat(Conditions.find(s.getConditions(), "Progressing").getStatus()).isEqualTo("False");
    assertThat(Conditions.find(s.getConditions(), "Degraded").getStatus()).isEqualTo(degraded);
    assertThat(s.getConditions()).allSatisfy(c -> {
      assertThat(c.getReason()).isEqualTo(reason);
      assertThat(c.getMessage()).isEqualTo("detail");
      assertThat(c.getObservedGeneration()).isEqualTo(4L);
    });
  }

  @Test
  void sameOutcomeAgainGivesAnEqualStatusSoNoPatchIsSent() {
    Outcome outcome = new Outcome(Result.PUBLISHED, "revision r published", 3L, "r");
    PolicyStatus first = StatusDecisions.next(null, 2, outcome, NOW);
    PolicyStatus again = StatusDecisions.next(first, 2, outcome, NOW.plusSeconds(3600));
    assertThat(again).isEqualTo(first);
  }

  @Test
  void newGenerationChangesStatusButKeepsTransitionTimes() {
    Outcome outcome = new Outcome(Result.PUBLISHED, "m", 3L, "r");
    PolicyStatus first = StatusDecisions.next(null, 2, outcome, NOW);
    PolicyStatus next = StatusDecisions.next(first, 3, new Outcome(Result.PUBLISHED, "m2", 4L, "s"), NOW.plusSeconds(60));
    assertThat(next).isNotEqualTo(first);
    assertThat(Conditions.find(next.getConditions(), "Ready").getLastTransitionTime()).isEqualTo("2026-11-29T12:00:00Z");
  }

  @Test
  void carriesFieldsOwnedByLaterFeatures() {
    PolicyStatus previous = new PolicyStatus();
    AgentCounts agents = new AgentCounts();
    agents.setMatched(3);
    previous.setAgents(agents);
    previous.setLastConvergenceSeconds(12L);
    PolicyStatus s = StatusDecisions.next(previous, 1, new Outcome(Result.PUBLISHED, "m", 1L, "r"), NOW);
    assertThat(s.getAgents()).isEqualTo(agents);
    assertThat(s.getLastConvergenceSeconds()).isEqualTo(12L);
  }

  @Test
  void aRefusedPublishKeepsTheRolloutStateOfStatus() {
    PolicyStatus previous = new PolicyStatus();
    previous.setCanaryRevision("c");
    previous.setCurrentStepIndex(2);
    previous.setStepsHash("h");
    previous.setCanaryWeight(50);
    previous.setCanaryThreshold(7L);
    previous.setCurrentStepStartedAt("2026-11-29T11:00:00Z");
    PolicyStatus s = StatusDecisions.next(previous, 3, new Outcome(Result.PUBLISH_FAILED, "x", 4L, "r"), null, NOW);
    assertThat(s.getCanaryRevision()).isEqualTo("c");
    assertThat(s.getCurrentStepIndex()).isEqualTo(2);
    assertThat(s.getStepsHash()).isEqualTo("h");
    assertThat(s.getCanaryWeight()).isEqualTo(50);
    assertThat(s.getCanaryThreshold()).isEqualTo(7L);
    assertThat(s.getCurrentStepStartedAt()).isEqualTo("2026-11-29T11:00:00Z");
    assertThat(s.getPhase()).isEqualTo(PolicyPhase.Degraded);
  }

  @Test
  void failureFlipsReadyAndTakesNow() {
    PolicyStatus ok = StatusDecisions.next(null, 1, new Outcome(Result.PUBLISHED, "m", 1L, "r"), NOW);
    PolicyStatus bad = StatusDecisions.next(ok, 2, new Outcome(Result.INVALID_SPEC, "spec.x: bad", 1L, "r"),
        NOW.plusSeconds(90));
    assertThat(Conditions.find(bad.getConditions(), "Ready").getLastTransitionTime()).isEqualTo("2026-11-29T12:01:30Z");
    assertThat(Conditions.find(bad.getConditions(), "Progressing").getLastTransitionTime())
        .isEqualTo("2026-11-29T12:00:00Z");
    assertThat(bad.getSequence()).isEqualTo(1L);
  }

  @Test
  void reasonsArePublicApiAndEveryOutcomeUsesOne() {
    // Renaming any of these breaks Argo CD health scripts, kubectl wait pipelines and alerts.
    assertThat(PolicyConditions.REASONS).containsExactly("Published", "InvalidSpec", "CachePolicyNotFound",
        "PayloadTooLarge", "PublishFailed", "ConfigMapConflict", "StepSetWeight", "StepPaused", "Draining",
        "RolloutCompleted", "RolloutInProgress", "AgentsConverging", "AwaitingPromote", "SpecPaused",
        "AnalysisInconclusive", "NotPaused", "RolledBack", "Aborted", "ProgressDeadlineExceeded", "AgentsOutdated",
        "NoMatchingAgents");
    assertThat(PolicyConditions.OPERATOR_TYPES).containsExactly("Ready", "Progressing", "Degraded", "Paused");
    assertThat(PolicyConditions.PAUSED).isEqualTo("Paused");
    assertThat(PolicyConditions.REASONS).containsAll(Arrays.stream(Result.values()).map(Result::reason).toList());
  }

  /** A status with every field set, built afresh (no shared mutable parts). */
  private static PolicyStatus full() {
    PolicyStatus s = StatusDecisions.next(null, 2, new Outcome(Result.PUBLISHED, "m", 3L, "r"), NOW);
    AgentCounts agents = new AgentCounts();
    agents.setMatched(3);
    s.setAgents(agents);
    RevisionHistoryEntry entry = new RevisionHistoryEntry();
    entry.setRevision("r");
    s.setHistory(List.of(entry));
    s.setCanaryRevision("c");
    s.setCurrentStepIndex(1);
    s.setCanaryWeight(10);
    s.setLastConvergenceSeconds(9L);
    s.setStepsHash("h");
    s.setCurrentStepStartedAt("2026-11-29T12:00:00Z");
    s.setCanaryPublishedAt("2026-11-29T12:00:00Z");
    s.setCanaryThreshold(5L);
    s.setPausedAt("2026-11-29T12:00:00Z");
    s.setAnalysis(new io.cacheplane.api.v1alpha1.AnalysisStatus());
    s.setControls(new io.cacheplane.api.v1alpha1.RolloutControls("a", null, null, null));
    s.setAborted(new io.cacheplane.api.v1alpha1.AbortedRollout("c", 1L, "Aborted", "m", "t"));
    return s;
  }

  @Test
  void hashCodeCoversEveryFieldEqualsCompares() {
    assertThat(full()).isEqualTo(full()).hasSameHashCodeAs(full());
    List<Consumer<PolicyStatus>> edits = List.of(
        s -> s.setObservedGeneration(7L), s -> s.setPhase(PolicyPhase.Degraded), s -> s.setConditions(List.of()),
        s -> s.setSequence(4L), s -> s.setStableRevision("x"), s -> s.setCanaryRevision("y"),
        s -> s.setCurrentStepIndex(2), s -> s.setCanaryWeight(50), s -> s.getAgents().setMatched(4),
        s -> s.setHistory(List.of()), s -> s.setLastConvergenceSeconds(10L), s -> s.setStepsHash("g"),
        s -> s.setCurrentStepStartedAt("x"), s -> s.setCanaryPublishedAt("x"), s -> s.setCanaryThreshold(6L),
        s -> s.setPausedAt("x"), s -> s.getAnalysis().setFailures(1), s -> s.getControls().setAbort("b"),
        s -> s.getAborted().setReason("RolledBack"), s -> s.setDrainSequence(9L), s -> s.setDrainStartedAt("y"));
    for (int i = 0; i < edits.size(); i++) {
      PolicyStatus edited = full();
      edits.get(i).accept(edited);
      assertThat(edited).as("edit %d", i).isNotEqualTo(full());
      assertThat(edited.hashCode()).as("hash after edit %d", i).isNotEqualTo(full().hashCode());
    }
  }
}

package io.cacheplane.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.rollout.Controls;
import io.cacheplane.operator.rollout.RolloutDecision;
import io.cacheplane.operator.rollout.RolloutState;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutStatusTest {

  private static final Instant T = Instant.parse("2026-11-29T10:00:00Z");

  @Test
  void everyFieldSurvivesTheRoundTripThroughStatus() {
    RolloutState state = new RolloutState("c1", 2, "h", T, T.minusSeconds(60), 123L, 50, T.plusSeconds(5),
        new RolloutState.AnalysisWindow(T, Map.of("a", new RolloutState.Snapshot("c1", 10, 1)), 1, T, "passed"),
        new Controls("p", "pf", "ab", "r"), new RolloutState.Aborted("x", 3, "RolledBack", "m", T),
        List.of(new RolloutState.History("x", 3, "RolledBack", T)), 12L, 41L, T.minusSeconds(5));
    PolicyStatus s = new PolicyStatus();
    RolloutStatus.write(state, new RolloutDecision.Tally(10, 5, 5, 0, 1), s);
    assertThat(RolloutStatus.read(s)).isEqualTo(state);
    assertThat(s.getAgents().getMatched()).isEqualTo(10);
    assertThat(s.getAgents().getStale()).isEqualTo(1);
    assertThat(s.getCurrentStepStartedAt()).isEqualTo("2026-11-29T10:00:00Z");
  }

  @Test
  void noStatusIsTheInitialState() {
    assertThat(RolloutStatus.read(null)).isEqualTo(RolloutState.INITIAL);
    assertThat(RolloutStatus.read(new PolicyStatus())).isEqualTo(RolloutState.INITIAL);
  }

  @Test
  void historyIsBoundedToTen() {
    PolicyStatus s = new PolicyStatus();
    s.setHistory(new java.util.ArrayList<>());
    for (int i = 0; i < 15; i++) {
      s.getHistory().add(new io.cacheplane.api.v1alpha1.RevisionHistoryEntry("r" + i, (long) i, "Promoted",
          "2026-11-29T10:00:00Z"));
    }
    assertThat(RolloutStatus.read(s).history()).hasSize(10)
        .first().extracting(RolloutState.History::revision).isEqualTo("r5");
  }
}

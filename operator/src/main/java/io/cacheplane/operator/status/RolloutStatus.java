package io.cacheplane.operator.status;

import io.cacheplane.api.v1alpha1.AbortedRollout;
import io.cacheplane.api.v1alpha1.AgentCounterSnapshot;
import io.cacheplane.api.v1alpha1.AgentCounts;
import io.cacheplane.api.v1alpha1.AnalysisStatus;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.operator.rollout.Controls;
import io.cacheplane.operator.rollout.RolloutDecision;
import io.cacheplane.operator.rollout.RolloutState;
import io.cacheplane.operator.rollout.RolloutState.Aborted;
import io.cacheplane.operator.rollout.RolloutState.AnalysisWindow;
import io.cacheplane.operator.rollout.RolloutState.History;
import io.cacheplane.operator.rollout.RolloutState.Snapshot;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps the rollout state machine's memory ({@link RolloutState}) to and from {@code status} (pure). Instants are
 * written as RFC 3339 with second precision ({@link Conditions#rfc3339}), so a state read back equals the state
 * written up to sub-second precision; the state machine is fed the read-back state on every reconcile.
 */
public final class RolloutStatus {

  private RolloutStatus() {}

  /** The rollout state kept in {@code status} ({@link RolloutState#INITIAL} for {@code null}). */
  public static RolloutState read(PolicyStatus s) {
    if (s == null) {
      return RolloutState.INITIAL;
    }
    AnalysisWindow window = null;
    AnalysisStatus a = s.getAnalysis();
    if (a != null && a.getWindowStartedAt() != null) {
      Map<String, Snapshot> baseline = new HashMap<>();
      if (a.getBaseline() != null) {
        for (AgentCounterSnapshot b : a.getBaseline()) {
          if (b != null && b.getAgent() != null && b.getRevision() != null) {
            baseline.put(b.getAgent(), new Snapshot(b.getRevision(), nz(b.getRequests()), nz(b.getErrors())));
          }
        }
      }
      window = new AnalysisWindow(time(a.getWindowStartedAt()), baseline, a.getFailures() == null ? 0 : a.getFailures(),
          time(a.getLastPassAt()), a.getLastResult());
      if (window.startedAt() == null) {
        window = null;
      }
    }
    RolloutControls c = s.getControls();
    Controls handled = c == null ? Controls.NONE
        : new Controls(c.getPromote(), c.getPromoteFull(), c.getAbort(), c.getRetry());
    AbortedRollout ab = s.getAborted();
    Aborted aborted = ab == null || ab.getRevision() == null ? null
        : new Aborted(ab.getRevision(), nz(ab.getGeneration()), ab.getReason(), ab.getMessage(), time(ab.getTime()));
    List<History> history = new ArrayList<>();
    if (s.getHistory() != null) {
      for (RevisionHistoryEntry e : s.getHistory()) {
        if (e != null) {
          history.add(new History(e.getRevision(), nz(e.getGeneration()), e.getOutcome(), time(e.getTime())));
        }
      }
    }
    while (history.size() > RolloutState.MAX_HISTORY) {
      history.remove(0);
    }
    return new RolloutState(s.getCanaryRevision(), s.getCurrentStepIndex(), s.getStepsHash(),
        time(s.getCurrentStepStartedAt()), time(s.getCanaryPublishedAt()),
        s.getCanaryThreshold() == null ? 0 : s.getCanaryThreshold(),
        s.getCanaryWeight() == null ? 0 : s.getCanaryWeight(), time(s.getPausedAt()), window, handled, aborted,
        history, s.getLastConvergenceSeconds(), s.getDrainSequence(), time(s.getDrainStartedAt()));
  }

  /** Writes {@code state} and the decision's agent counts into {@code s}. */
  public static void write(RolloutState state, RolloutDecision.Tally tally, PolicyStatus s) {
    s.setCanaryRevision(state.canaryRevision());
    s.setCurrentStepIndex(state.stepIndex());
    s.setStepsHash(state.stepsHash());
    s.setCurrentStepStartedAt(rfc(state.stepStartedAt()));
    s.setCanaryPublishedAt(rfc(state.canaryPublishedAt()));
    s.setCanaryThreshold(state.canaryRevision() == null ? null : state.threshold());
    s.setCanaryWeight(state.canaryRevision() == null ? 0 : state.weight());
    s.setPausedAt(rfc(state.pausedAt()));
    AnalysisWindow w = state.analysis();
    if (w == null) {
      s.setAnalysis(null);
    } else {
      AnalysisStatus a = new AnalysisStatus();
      a.setWindowStartedAt(rfc(w.startedAt()));
      List<AgentCounterSnapshot> baseline = new ArrayList<>();
      w.baseline().forEach((agent, snap) -> baseline.add(new AgentCounterSnapshot(agent, snap.revision(),
          snap.requests(), snap.errors())));
      baseline.sort(Comparator.comparing(AgentCounterSnapshot::getAgent));
      a.setBaseline(baseline);
      a.setFailures(w.failures() == 0 ? null : w.failures());
      a.setLastPassAt(rfc(w.lastPassAt()));
      a.setLastResult(w.lastResult());
      s.setAnalysis(a);
    }
    Controls h = state.handled();
    s.setControls(h.equals(Controls.NONE) ? null
        : new RolloutControls(h.promote(), h.promoteFull(), h.abort(), h.retry()));
    Aborted ab = state.aborted();
    s.setAborted(ab == null ? null
        : new AbortedRollout(ab.revision(), ab.generation(), ab.reason(), ab.message(), rfc(ab.at())));
    List<RevisionHistoryEntry> history = state.history().stream()
        .map(e -> new RevisionHistoryEntry(e.revision(), e.generation(), e.outcome(), rfc(e.at()))).toList();
    s.setHistory(history.isEmpty() ? null : new ArrayList<>(history));
    s.setLastConvergenceSeconds(state.lastConvergenceSeconds());
    s.setDrainSequence(state.drainAfter());
    s.setDrainStartedAt(rfc(state.drainStartedAt()));
    if (tally != null) {
      AgentCounts counts = new AgentCounts();
      counts.setMatched(tally.matched());
      counts.setStable(tally.stable());
      counts.setCanary(tally.canary());
      counts.setRejected(tally.rejected());
      counts.setStale(tally.stale());
      s.setAgents(counts);
    }
  }

  /** Copies the rollout fields of {@code from} into {@code to} unchanged (a reconcile that decided nothing). */
  public static void carry(PolicyStatus from, PolicyStatus to) {
    if (from == null) {
      to.setCanaryWeight(0);
      return;
    }
    to.setCanaryRevision(from.getCanaryRevision());
    to.setCurrentStepIndex(from.getCurrentStepIndex());
    to.setStepsHash(from.getStepsHash());
    to.setCurrentStepStartedAt(from.getCurrentStepStartedAt());
    to.setCanaryPublishedAt(from.getCanaryPublishedAt());
    to.setCanaryThreshold(from.getCanaryThreshold());
    to.setCanaryWeight(from.getCanaryWeight() == null ? 0 : from.getCanaryWeight());
    to.setPausedAt(from.getPausedAt());
    to.setAnalysis(from.getAnalysis());
    to.setControls(from.getControls());
    to.setAborted(from.getAborted());
    to.setHistory(from.getHistory());
    to.setLastConvergenceSeconds(from.getLastConvergenceSeconds());
    to.setDrainSequence(from.getDrainSequence());
    to.setDrainStartedAt(from.getDrainStartedAt());
    to.setAgents(from.getAgents());
  }

  private static long nz(Long v) {
    return v == null ? 0 : v;
  }

  private static String rfc(Instant t) {
    return t == null ? null : Conditions.rfc3339(t);
  }

  private static Instant time(String text) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}

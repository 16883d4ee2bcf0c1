package io.cacheplane.operator.rollout;

import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.operator.rollout.RolloutState.AnalysisWindow;
import io.cacheplane.operator.rollout.RolloutState.Snapshot;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges one analysis window (pure). Agents report cumulative counters per serving revision; the delta of each agent
 * since the window's baseline is summed per revision. A canary agent without a baseline counts from 0 (its counters
 * start when it switched to the canary); a stable agent without one is added to the baseline and counted from the
 * next window.
 * <p>An interval <b>fails</b> when the canary error rate {@code (errors5xx + upstreamErrors) / requests}
 * <ul>
 *   <li>is above {@code maxErrorRate} (absolute), or</li>
 *   <li>exceeds the stable agents' error rate over the same window by more than {@code maxErrorRate / 2} (relative;
 *       judged only when the stable agents also served at least {@code minRequests}).</li>
 * </ul>
 * Fewer than {@code minRequests} canary requests is <b>inconclusive</b>: the window stays open (requests keep
 * accumulating), never a pass. After a conclusive verdict a new window starts.
 */
public final class CanaryAnalysis {

  private CanaryAnalysis() {}

  /** The verdict of one call. */
  public enum Verdict { OPEN, INCONCLUSIVE, PASSED, FAILED }

  /**
   * @param window the window after this call
   * @param verdict what happened
   * @param rollback whether failures exceed {@code failureLimit}
   * @param message human-readable verdict (rates and counts), or {@code null} for {@link Verdict#OPEN}
   */
  public record Result(AnalysisWindow window, Verdict verdict, boolean rollback, String message) {}

  /**
   * @param a the analysis settings
   * @param window the open window, or {@code null} to start one now
   * @param agents live matched agents
   * @param canaryRevision the revision under analysis
   * @param stableRevision the stable revision, or {@code null}
   * @param now the operator's clock
   */
  public static Result evaluate(Strategy.Analysis a, AnalysisWindow window, List<AgentView> agents,
      String canaryRevision, String stableRevision, Instant now) {
    if (window == null) {
      return new Result(new AnalysisWindow(now, snapshot(agents), 0, null, null), Verdict.OPEN, false, null);
    }
    Map<String, Snapshot> base = new HashMap<>(window.baseline());
    for (AgentView agent : agents) {
      AgentReport.Counters c = agent.counters();
      if (c != null && c.revision() != null && !c.revision().equals(canaryRevision) && !base.containsKey(agent.agent())) {
        base.put(agent.agent(), snap(c));
      }
    }
    if (now.isBefore(window.startedAt().plus(a.interval()))) {
      return new Result(new AnalysisWindow(window.startedAt(), base, window.failures(), window.lastPassAt(),
          window.lastResult()), Verdict.OPEN, false, null);
    }
    long canaryRequests = 0, canaryErrors = 0, stableRequests = 0, stableErrors = 0;
    for (AgentView agent : agents) {
      AgentReport.Counters c = agent.counters();
      if (c == null || c.revision() == null) {
        continue;
      }
      long errors = c.errors5xx() + c.upstreamErrors();
      Snapshot b = base.get(agent.agent());
      long dr;
      long de;
      if (b != null && b.revision().equals(c.revision()) && c.requests() >= b.requests() && errors >= b.errors()) {
        dr = c.requests() - b.requests();
        de = errors - b.errors();
      } else if (c.revision().equals(canaryRevision)) {
        dr = c.requests();
        de = errors;
      } else {
        continue;
      }
      if (c.revision().equals(canaryRevision)) {
        canaryRequests += dr;
        canaryErrors += de;
      } else if (c.revision().equals(stableRevision)) {
        stableRequests += dr;
        stableErrors += de;
      }
    }
    if (canaryRequests < a.minRequests()) {
      String message = "inconclusive: the canary served " + canaryRequests + " of the " + a.minRequests()
          + " requests needed (minRequests) since " + window.startedAt();
      return new Result(new AnalysisWindow(window.startedAt(), base, window.failures(), window.lastPassAt(), message),
          Verdict.INCONCLUSIVE, false, message);
    }
    double canaryRate = canaryRequests == 0 ? 0 : (double) canaryErrors / canaryRequests;
    Double stableRate = stableRequests >= a.minRequests() && stableRequests > 0
        ? (double) stableErrors / stableRequests : null;
    String rates = "canary error rate " + pct(canaryRate) + " (" + canaryErrors + "/" + canaryRequests + ")"
        + (stableRate == null ? ", stable not judged (" + stableRequests + " requests)"
            : ", stable " + pct(stableRate) + " (" + stableErrors + "/" + stableRequests + ")");
    boolean absolute = canaryRate > a.maxErrorRate();
    boolean relative = stableRate != null && canaryRate - stableRate > a.maxErrorRate() / 2;
    int failures = window.failures();
    Instant lastPass = window.lastPassAt();
    Verdict verdict;
    String message;
    if (absolute || relative) {
      failures++;
      verdict = Verdict.FAILED;
      message = "analysis failed (" + failures + " of " + (a.failureLimit() + 1) + " allowed): " + rates
          + (absolute ? " is above maxErrorRate " + pct(a.maxErrorRate())
              : " exceeds the stable rate by more than " + pct(a.maxErrorRate() / 2));
    } else {
      lastPass = now;
      verdict = Verdict.PASSED;
      message = "analysis passed: " + rates + ", maxErrorRate " + pct(a.maxErrorRate());
    }
    AnalysisWindow next = new AnalysisWindow(now, snapshot(agents), failures, lastPass, message);
    return new Result(next, verdict, failures > a.failureLimit(), message);
  }

  private static Map<String, Snapshot> snapshot(List<AgentView> agents) {
    Map<String, Snapshot> out = new HashMap<>();
    for (AgentView agent : agents) {
      if (agent.counters() != null && agent.counters().revision() != null) {
        out.put(agent.agent(), snap(agent.counters()));
      }
    }
    return out;
  }

  private static Snapshot snap(AgentReport.Counters c) {
    return new Snapshot(c.revision(), c.requests(), c.errors5xx() + c.upstreamErrors());
  }

  static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.2f%%", fraction * 100);
  }
}

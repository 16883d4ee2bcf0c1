package io.cacheplane.operator.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The rollout's memory between reconciles, exactly what {@code status} keeps (see {@code RolloutStatus} for the
 * mapping); with the ConfigMap's envelope it is everything a restarted operator needs to resume the same step with the
 * same deadlines.
 *
 * @param canaryRevision revision under rollout, or {@code null}
 * @param stepIndex index of the step being executed (0-based; equal to the step count while completing), or
 *     {@code null} without a rollout
 * @param stepsHash {@link Strategy#stepsHash()} of the steps the rollout follows
 * @param stepStartedAt when the current step started
 * @param canaryPublishedAt when the canary revision was first published; kept after promotion until every agent serves
 *     it (convergence time)
 * @param threshold published canary threshold (0..2^32); never decreases within a rollout
 * @param weight canary weight of the last setWeight step (percent)
 * @param pausedAt when {@code spec.paused} froze the rollout, or {@code null}
 * @param analysis the analysis window, or {@code null}
 * @param handled last handled control tokens
 * @param aborted the rollout that was taken back, or {@code null}
 * @param history recent outcomes, oldest first (at most {@link #MAX_HISTORY})
 * @param lastConvergenceSeconds seconds from first publish to every agent serving the last promoted revision
 * @param drainAfter the last envelope sequence that carried a canary which was then taken out (superseded, rolled
 *     back, aborted); a new canary is published only once every live agent reported a later sequence, so agents never
 *     run three revisions at once; {@code null} when nothing drains
 * @param drainStartedAt when that canary was taken out (the drain gives up waiting after {@code progressDeadline})
 */
public record RolloutState(String canaryRevision, Integer stepIndex, String stepsHash, Instant stepStartedAt,
    Instant canaryPublishedAt, long threshold, int weight, Instant pausedAt, AnalysisWindow analysis,
    Controls handled, Aborted aborted, List<History> history, Long lastConvergenceSeconds, Long drainAfter,
    Instant drainStartedAt) {

  /** Entries kept in {@code status.history}. */
  public static final int MAX_HISTORY = 10;

  /** No rollout ever ran. */
  public static final RolloutState INITIAL = new RolloutState(null, null, null, null, null, 0, 0, null, null,
      Controls.NONE, null, List.of(), null, null, null);

  public RolloutState {
    Objects.requireNonNull(handled, "handled");
    history = List.copyOf(history);
  }

  /**
   * An analysis window.
   *
   * @param startedAt window start
   * @param baseline agent id → counters at the window start
   * @param failures failed windows in this rollout
   * @param lastPassAt end of the last passing window, or {@code null}
   * @param lastResult last verdict for status, or {@code null}
   */
  public record AnalysisWindow(Instant startedAt, Map<String, Snapshot> baseline, int failures, Instant lastPassAt,
      String lastResult) {

    public AnalysisWindow {
      baseline = Map.copyOf(baseline);
    }
  }

  /** Cumulative counters of one agent for one revision; {@code errors} = 5xx answers + upstream errors. */
  public record Snapshot(String revision, long requests, long errors) {}

  /**
   * A rollout that was taken back.
   *
   * @param revision its canary revision
   * @param generation the generation it came from
   * @param reason {@code Aborted}, {@code RolledBack} or {@code ProgressDeadlineExceeded}
   * @param message details
   * @param at when
   */
  public record Aborted(String revision, long generation, String reason, String message, Instant at) {}

  /** A history entry; {@code outcome} is Promoted, RolledBack, Superseded or Aborted. */
  public record History(String revision, long generation, String outcome, Instant at) {}
}

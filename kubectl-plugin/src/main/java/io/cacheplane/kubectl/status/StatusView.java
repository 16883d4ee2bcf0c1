package io.cacheplane.kubectl.status;

import io.cacheplane.api.v1alpha1.AbortedRollout;
import io.cacheplane.api.v1alpha1.AgentCounts;
import io.cacheplane.api.v1alpha1.AnalysisStatus;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.kubectl.cluster.PolicySnapshot;
import io.cacheplane.kubectl.text.ProgressBar;
import io.cacheplane.kubectl.text.Text;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The text of {@code kubectl cacheplane status}: a pure function of a policy and the time now (the analysis line shows
 * {@code status.analysis.lastResult}, the operator's last verdict, and its failed-interval count). Every value from the
 * server passes through {@link Text#safe}. Fields come from {@code status} as the operator writes it (PolicyStatus);
 * the step's description and bake time from {@code spec.rollout.steps} or the Progressing message
 * ({@link CurrentStep}).
 */
public final class StatusView {

  private static final int LABEL_WIDTH = 15;

  private StatusView() {}

  /**
   * The lines to print.
   *
   * @param policy the policy as read
   * @param now the local time, for the bake's time left
   */
  public static List<String> lines(PolicySnapshot policy, Instant now) {
    List<String> out = new ArrayList<>();
    PolicyStatus s = policy.status();
    line(out, "Name", Text.safe(policy.ref().name()));
    line(out, "Kind", policy.ref().kind().kind());
    line(out, "Namespace", Text.safe(policy.namespace()));
    if (s == null) {
      line(out, "Phase", "- (no status yet: is the operator running and watching this namespace?)");
      return out;
    }
    line(out, "Phase", s.getPhase() == null ? "-" : s.getPhase().name());
    if (policy.generation() != null && (s.getObservedGeneration() == null
        || s.getObservedGeneration() < policy.generation())) {
      line(out, "Generation", "observed " + (s.getObservedGeneration() == null ? "none" : s.getObservedGeneration())
          + " of " + policy.generation() + " (the operator has not acted on the newest spec yet)");
    }
    line(out, "Ready", conditionText(s, PolicyConditions.READY).orElse("-"));
    CurrentStep step = CurrentStep.of(policy.spec(), s);
    if (step != null) {
      line(out, "Step", step.label());
    }
    if (s.getCanaryWeight() != null && (s.getCanaryRevision() != null || s.getCanaryWeight() > 0)) {
      line(out, "Canary weight", s.getCanaryWeight() + "%");
    }
    line(out, "Stable", Text.safe(s.getStableRevision(), 64));
    if (s.getCanaryRevision() != null) {
      line(out, "Canary", Text.safe(s.getCanaryRevision(), 64));
    }
    bake(step, s, now).ifPresent(b -> line(out, "Bake", b));
    line(out, "Agents", agents(s.getAgents()));
    AnalysisStatus analysis = s.getAnalysis();
    if (analysis != null && (analysis.getLastResult() != null || analysis.getFailures() != null)) {
      line(out, "Analysis", Text.safe(analysis.getLastResult(), 500) + " (failed intervals: "
          + (analysis.getFailures() == null ? 0 : analysis.getFailures()) + ")");
    }
    for (String type : List.of(PolicyConditions.PROGRESSING, PolicyConditions.PAUSED, PolicyConditions.DEGRADED)) {
      Optional<Condition> c = condition(s, type);
      if (c.isPresent() && "True".equals(c.get().getStatus())) {
        line(out, type, conditionText(s, type).orElse("-"));
      }
    }
    AbortedRollout aborted = s.getAborted();
    if (aborted != null && aborted.getRevision() != null) {
      line(out, "Taken back", Text.safe(aborted.getRevision(), 64) + " " + Text.safe(aborted.getReason(), 64)
          + (aborted.getTime() == null ? "" : " at " + Text.safe(aborted.getTime(), 64))
          + (aborted.getMessage() == null ? "" : ": " + Text.safe(aborted.getMessage())));
    }
    List<RevisionHistoryEntry> history = s.getHistory();
    if (history != null && !history.isEmpty()) {
      RevisionHistoryEntry last = history.get(history.size() - 1);
      line(out, "Last history", Text.safe(last.getRevision(), 64) + " " + Text.safe(last.getOutcome(), 64)
          + (last.getGeneration() == null ? "" : " (generation " + last.getGeneration() + ")")
          + (last.getTime() == null ? "" : " at " + Text.safe(last.getTime(), 64)));
    }
    if (s.getLastConvergenceSeconds() != null) {
      line(out, "Convergence", Text.duration(Duration.ofSeconds(s.getLastConvergenceSeconds()))
          + " (last completed revision, publish to every agent)");
    }
    return out;
  }

  /** The condition of a type, if the status has one. */
  public static Optional<Condition> condition(PolicyStatus s, String type) {
    if (s == null || s.getConditions() == null) {
      return Optional.empty();
    }
    return s.getConditions().stream().filter(c -> c != null && type.equals(c.getType())).findFirst();
  }

  /** {@code <status>  <reason>: <message>} of a condition, e.g. {@code False  RolledBack: agent a rejected ...}. */
  static Optional<String> conditionText(PolicyStatus s, String type) {
    return condition(s, type).map(c -> Text.safe(c.getStatus(), 16) + "  " + Text.safe(c.getReason(), 128)
        + (c.getMessage() == null || c.getMessage().isEmpty() ? "" : ": " + Text.safe(c.getMessage())));
  }

  /**
   * The bake bar of a timed pause step: elapsed = (status.pausedAt, when spec.paused froze the rollout, else now) −
   * status.currentStepStartedAt, out of the step's duration.
   */
  static Optional<String> bake(CurrentStep step, PolicyStatus s, Instant now) {
    if (step == null || step.bake() == null || s.getCanaryRevision() == null) {
      return Optional.empty();
    }
    Instant started = instant(s.getCurrentStepStartedAt());
    if (started == null) {
      return Optional.empty();
    }
    Instant frozenAt = instant(s.getPausedAt());
    Instant until = frozenAt != null ? frozenAt : now;
    long total = step.bake().toMillis();
    long elapsed = Math.max(0, Math.min(total, Duration.between(started, until).toMillis()));
    Duration left = Duration.ofMillis(total - elapsed);
    String tail = elapsed >= total ? "bake time over"
        : Text.duration(left.plusMillis(999)) + " left of " + Text.duration(step.bake());
    return Optional.of(ProgressBar.of(elapsed, total) + "  " + tail
        + (frozenAt != null ? " (frozen: spec.paused)" : ""));
  }

  /** The agents bar: agents serving a revision (stable + canary) out of the matched ones, then every count. */
  static String agents(AgentCounts a) {
    if (a == null || a.getMatched() == null) {
      return "- (no agent reports yet)";
    }
    int matched = a.getMatched();
    int stable = a.getStable() == null ? 0 : a.getStable();
    int canary = a.getCanary() == null ? 0 : a.getCanary();
    int serving = stable + canary;
    return ProgressBar.of(serving, matched) + "  " + serving + "/" + matched + " matched agents serve a revision"
        + " (stable " + stable + ", canary " + canary + "; rejected " + (a.getRejected() == null ? 0 : a.getRejected())
        + ", stale " + (a.getStale() == null ? 0 : a.getStale()) + ")";
  }

  private static Instant instant(String rfc3339) {
    if (rfc3339 == null) {
      return null;
    }
    try {
      return Instant.parse(rfc3339);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static void line(List<String> out, String label, String value) {
    out.add(String.format("%-" + LABEL_WIDTH + "s%s", label + ":", value));
  }
}

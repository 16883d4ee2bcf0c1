package io.cacheplane.operator.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.Revisions;
import io.cacheplane.api.v1alpha1.AnalysisSpec;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A rollout strategy with every field resolved: the policy's {@code spec.rollout}, where each absent field
 * ({@code steps}, {@code progressDeadline}; and each absent field of a given {@code analysis}) is taken from
 * the operator's default strategy ({@code OperatorSettings.defaultStrategy}), and finally from the built-in fallbacks
 * below.
 *
 * @param steps the steps, in order (empty = promote at once)
 * @param analysis the analysis, or {@code null} when the policy's own {@code spec.rollout} has none (or, for a policy
 *     without {@code spec.rollout}, when the default strategy has none)
 * @param progressDeadline how long canary agents may take to acknowledge a step
 * @param stepsHash hash of {@code steps} as the user wrote them (16 hex characters); a change restarts the steps
 */
public record Strategy(List<Step> steps, Analysis analysis, Duration progressDeadline, String stepsHash) {

  /** Progress deadline when none is configured anywhere: 10 minutes (Argo Rollouts' default progressDeadlineSeconds is 600). */
  public static final Duration FALLBACK_PROGRESS_DEADLINE = Duration.ofMinutes(10);
  /** Analysis interval when an analysis gives none: 30 s. */
  public static final Duration FALLBACK_INTERVAL = Duration.ofSeconds(30);
  /** maxErrorRate when an analysis gives none: 0.05 (5 %). */
  public static final double FALLBACK_MAX_ERROR_RATE = 0.05;
  /** minRequests when an analysis gives none: 20. */
  public static final long FALLBACK_MIN_REQUESTS = 20;
  /** failureLimit when an analysis gives none: 1. */
  public static final int FALLBACK_FAILURE_LIMIT = 1;

  public Strategy {
    steps = List.copyOf(steps);
    Objects.requireNonNull(progressDeadline, "progressDeadline");
    Objects.requireNonNull(stepsHash, "stepsHash");
  }

  /**
   * One step: exactly one of a weight or a pause.
   *
   * @param setWeight percent 0..100, or {@code null} for a pause
   * @param pause bake time, or {@code null} (with {@code setWeight == null}: an indefinite pause)
   */
  public record Step(Integer setWeight, Duration pause) {

    public boolean isSetWeight() { return setWeight != null; }

    public boolean isIndefinitePause() { return setWeight == null && pause == null; }

    /** For messages: {@code setWeight 10}, {@code pause 1m0s}, {@code pause (until promoted)}. */
    public String describe() {
      return setWeight != null ? "setWeight " + setWeight
          : pause == null ? "pause (until promoted)" : "pause " + format(pause);
    }
  }

  /**
   * Canary analysis: judged every {@code interval}; an interval with fewer than {@code minRequests} canary requests is
   * inconclusive; more than {@code failureLimit} failed intervals roll back.
   *
   * @param interval window length
   * @param maxErrorRate highest tolerated canary error rate (fraction); also the relative margin's base (see
   *     {@link CanaryAnalysis})
   * @param minRequests requests needed in a window to judge it
   * @param failureLimit failed windows tolerated
   */
  public record Analysis(Duration interval, double maxErrorRate, long minRequests, int failureLimit) {}

  /**
   * Resolves {@code spec} against {@code defaults}.
   *
   * @param spec the policy's {@code spec.rollout}, or {@code null}
   * @param defaults the operator's default strategy (never null)
   * @throws IllegalArgumentException when a duration does not parse (validation refuses such specs earlier)
   */
  public static Strategy resolve(RolloutStrategy spec, RolloutStrategy defaults) {
    Objects.requireNonNull(defaults, "defaults");
    RolloutStrategy s = spec == null ? defaults : spec;
    List<RolloutStep> rawSteps = s.getSteps() != null ? s.getSteps()
        : defaults.getSteps() != null ? defaults.getSteps() : List.of();
    List<Step> steps = new ArrayList<>();
    for (RolloutStep r : rawSteps) {
      if (r == null) {
        continue;
      }
      if (r.getSetWeight() != null) {
        steps.add(new Step(r.getSetWeight(), null));
      } else {
        steps.add(new Step(null, r.getPause() == null || r.getPause().getDuration() == null ? null
            : parse(r.getPause().getDuration())));
      }
    }
    // A policy that writes its own rollout gets an analysis gate only when it asks for one (as in Argo Rollouts);
    // the default analysis guards only policies that take the whole default strategy.
    AnalysisSpec a = spec == null ? defaults.getAnalysis() : s.getAnalysis();
    AnalysisSpec d = defaults.getAnalysis() == null ? new AnalysisSpec() : defaults.getAnalysis();
    Analysis analysis = null;
    if (a != null) {
      analysis = new Analysis(
          parse(first(a.getInterval(), d.getInterval()), FALLBACK_INTERVAL),
          first(a.getMaxErrorRate(), d.getMaxErrorRate(), FALLBACK_MAX_ERROR_RATE),
          first(a.getMinRequests(), d.getMinRequests(), FALLBACK_MIN_REQUESTS),
          first(a.getFailureLimit(), d.getFailureLimit(), FALLBACK_FAILURE_LIMIT));
    }
    Duration deadline = parse(first(s.getProgressDeadline(), defaults.getProgressDeadline()),
        FALLBACK_PROGRESS_DEADLINE);
    return new Strategy(steps, analysis, deadline, hash(rawSteps));
  }

  /** All at once: {@code steps: [{setWeight: 100}]}, no analysis. */
  public static RolloutStrategy allAtOnce() {
    RolloutStrategy s = new RolloutStrategy();
    RolloutStep step = new RolloutStep();
    step.setSetWeight(100);
    s.setSteps(List.of(step));
    return s;
  }

  /** SHA-256 (16 hex characters) of the steps' canonical JSON, as Argo Rollouts hashes its steps. */
  public static String hash(List<RolloutStep> steps) {
    try {
      return Revisions.sha256Hex(Json.JSON.writeValueAsString(steps == null ? List.of() : steps)).substring(0, 16);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("steps cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A Kubernetes/Go duration ({@code 1m30s}) as a {@link Duration}. */
  public static Duration parse(String text) {
    try {
      return io.fabric8.kubernetes.api.model.Duration.parse(text).getDuration();
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a duration: " + text, e);
    }
  }

  /** Go-style text of a duration, e.g. {@code 1m30s}. */
  public static String format(Duration d) {
    long s = d.toSeconds();
    if (d.toMillisPart() != 0 || s == 0) {
      return d.toMillis() + "ms";
    }
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s >= 60) {
      b.append(s % 3600 / 60).append('m');
    }
    return b.append(s % 60).append('s').toString();
  }

  private static Duration parse(String text, Duration fallback) {
    return text == null ? fallback : parse(text);
  }

  @SafeVarargs
  private static <T> T first(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}

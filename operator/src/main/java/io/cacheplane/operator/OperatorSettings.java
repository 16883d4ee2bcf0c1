package io.cacheplane.operator;

import io.cacheplane.api.v1alpha1.AnalysisSpec;
import io.cacheplane.api.v1alpha1.PauseStep;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.rollout.Strategy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link CacheplaneOperator} runs.
 *
 * @param namespaces namespaces to watch (policies, their ConfigMaps, agent Leases, Pods); empty watches all namespaces.
 *     Fixed for the operator's lifetime (changing informer scope at run time triggers JOSDK#3416)
 * @param clock the operator's clock: condition flips, rollout timers (bake, progress deadline, analysis windows) and
 *     agent liveness (inject a clock you advance in tests)
 * @param meterRegistry where the {@code cacheplane_operator_*} meters are registered
 * @param defaultStrategy the rollout strategy of policies without {@code spec.rollout}, and the source of each field
 *     a policy's {@code spec.rollout} leaves out ({@link Strategy#resolve}); {@link #DEFAULT_STRATEGY} by default
 * @param maxTimerDelay longest real-time delay before a policy with a rollout in progress (or agents still
 *     converging) is reconciled again, even when its next timer is later: how soon an expired agent Lease or a timer of
 *     an injected clock is noticed. 15 s by default (half the default lease duration of 30 s)
 * @param leaderElection leader election among replicas, or {@code null} (the default: a single replica, as tests and
 *     local mode run) to reconcile at once without a Lease
 */
public record OperatorSettings(Set<String> namespaces, Clock clock, MeterRegistry meterRegistry,
    RolloutStrategy defaultStrategy, Duration maxTimerDelay, LeaderElection leaderElection) {

  /**
   * The built-in default strategy: {@code steps [{setWeight: 10}, {pause: {duration: 1m}}, {setWeight: 50},
   * {pause: {duration: 1m}}, {setWeight: 100}]}, {@code progressDeadline 10m}, analysis {@code interval 30s},
   * {@code maxErrorRate 0.05}, {@code minRequests 20}, {@code failureLimit 1}. Where the numbers come from:
   * progressDeadline 10m is Kubernetes' Deployment {@code progressDeadlineSeconds} default (600 s), which Argo Rollouts
   * uses too; the 10 % → 50 % → 100 % weights with bakes in between follow the shape of Argo Rollouts' canary examples;
   * a 1-minute bake holds two 30 s analysis intervals. The analysis numbers are our own conservative choices, not
   * measured: 5 % errors is well above a healthy upstream's noise and well below an outage, 20 requests keeps one or
   * two failed requests from deciding alone, and failureLimit 1 tolerates one noisy interval (more failed intervals than
   * the limit roll back, as Argo's failureLimit). Tune them with {@code cacheplane.operator.default-rollout}. Because
   * inconclusive analysis is never a pass, an idle policy (no traffic) pauses at its first bake once the progress
   * deadline passes ({@code Paused/AnalysisInconclusive}) until promoted.
   */
  public static final RolloutStrategy DEFAULT_STRATEGY = builtInStrategy();

  /** {@link #maxTimerDelay} by default. */
  public static final Duration DEFAULT_MAX_TIMER_DELAY = Duration.ofSeconds(15);

  /**
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when a namespace is blank, the strategy cannot be resolved or the delay is not
   *     positive
   */
  public OperatorSettings {
    namespaces = Set.copyOf(Objects.requireNonNull(namespaces, "namespaces"));
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    Objects.requireNonNull(defaultStrategy, "defaultStrategy");
    Objects.requireNonNull(maxTimerDelay, "maxTimerDelay");
    if (namespaces.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("namespaces must not contain a blank name: " + namespaces);
    }
    if (maxTimerDelay.isNegative() || maxTimerDelay.isZero()) {
      throw new IllegalArgumentException("maxTimerDelay must be positive, got " + maxTimerDelay);
    }
    Strategy.resolve(defaultStrategy, defaultStrategy); // fails early on a duration that does not parse
  }

  /** Without leader election. */
  public OperatorSettings(Set<String> namespaces, Clock clock, MeterRegistry meterRegistry,
      RolloutStrategy defaultStrategy, Duration maxTimerDelay) {
    this(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, null);
  }

  /** With the default strategy and timer delay, without leader election. */
  public OperatorSettings(Set<String> namespaces, Clock clock, MeterRegistry meterRegistry) {
    this(namespaces, clock, meterRegistry, DEFAULT_STRATEGY, DEFAULT_MAX_TIMER_DELAY, null);
  }

  /**
   * All namespaces, the system UTC clock, a fresh {@link SimpleMeterRegistry}, the default strategy, no leader
   * election.
   */
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Clock.systemUTC(), new SimpleMeterRegistry());
  }

  /** A copy watching only {@code namespaces} (empty = all). */
  public OperatorSettings withNamespaces(Set<String> namespaces) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  /** A copy with another clock. */
  public OperatorSettings withClock(Clock clock) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  /** A copy with another meter registry. */
  public OperatorSettings withMeterRegistry(MeterRegistry meterRegistry) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  /** A copy with another default strategy (e.g. {@link Strategy#allAtOnce()}). */
  public OperatorSettings withDefaultStrategy(RolloutStrategy defaultStrategy) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  /** A copy with another {@link #maxTimerDelay}. */
  public OperatorSettings withMaxTimerDelay(Duration maxTimerDelay) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  /** A copy with leader election ({@code null} = none: reconcile at once, a single replica). */
  public OperatorSettings withLeaderElection(LeaderElection leaderElection) {
    return new OperatorSettings(namespaces, clock, meterRegistry, defaultStrategy, maxTimerDelay, leaderElection);
  }

  private static RolloutStrategy builtInStrategy() {
    RolloutStrategy s = new RolloutStrategy();
    s.setSteps(List.of(weight(10), pause("1m"), weight(50), pause("1m"), weight(100)));
    s.setProgressDeadline("10m");
    AnalysisSpec a = new AnalysisSpec();
    a.setInterval("30s");
    a.setMaxErrorRate(0.05);
    a.setMinRequests(20L);
    a.setFailureLimit(1);
    s.setAnalysis(a);
    return s;
  }

  private static RolloutStep weight(int percent) {
    RolloutStep step = new RolloutStep();
    step.setSetWeight(percent);
    return step;
  }

  private static RolloutStep pause(String duration) {
    RolloutStep step = new RolloutStep();
    PauseStep p = new PauseStep();
    p.setDuration(duration);
    step.setPause(p);
    return step;
  }
}

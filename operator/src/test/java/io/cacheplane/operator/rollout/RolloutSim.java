package io.cacheplane.operator.rollout;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.contract.Revisions;
import io.cacheplane.api.v1alpha1.AnalysisSpec;
import io.cacheplane.api.v1alpha1.PauseStep;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.status.RolloutStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pure simulation around {@link CanaryRollout}: the "ConfigMap" (published stable/canary), the state round-tripped
 * through {@code status} after every decision (as a restarted operator would read it), and agents that apply what is
 * published by their bucket, as real agents do.
 */
final class RolloutSim {

  static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  static final String UID = "uid-1";

  PublishedRevision candidate = revision(2, 2);
  PublishedRevision stable = revision(1, 1);
  PublishedRevision canary;
  RolloutState state = RolloutState.INITIAL;
  RolloutStrategy strategy = strategy(List.of(weight(10), pause("1m"), weight(50), pause(null), weight(100)), null);
  boolean paused;
  Controls requested = Controls.NONE;
  final Map<String, Agent> agents = new LinkedHashMap<>();
  List<String> outdated = List.of();
  int stale;
  Instant now = T0;
  long sequence = 1;
  RolloutDecision last;
  final List<Transition.Event> events = new ArrayList<>();

  /** One simulated agent. */
  static final class Agent {
    final String name;
    final long bucket;
    String revision;
    String state = AgentReport.APPLIED;
    String rejectedRevision;
    String reason;
    String message;
    boolean rejects;
    Long sequence;
    final Map<String, long[]> counters = new LinkedHashMap<>(); // revision → {requests, errors}

    Agent(String name) {
      this.name = name;
      this.bucket = Bucketing.bucket(UID, name);
    }

    AgentView view() {
      long[] c = revision == null ? null : counters.get(revision);
      AgentReport.Counters counts = c == null ? null : new AgentReport.Counters(revision, c[0], c[1], 0);
      return new AgentView(name, bucket, revision, revision == null && !AgentReport.REJECTED.equals(state) ? null
          : state, rejectedRevision, reason, message, counts, sequence);
    }
  }

  RolloutSim agents(int n) {
    for (int i = 0; i < n; i++) {
      addAgent("agent-" + i);
    }
    return this;
  }

  Agent addAgent(String name) {
    Agent a = new Agent(name);
    a.revision = stable == null ? null : stable.revision();
    agents.put(name, a);
    return a;
  }

  RolloutSim noStable() {
    stable = null;
    agents.values().forEach(a -> a.revision = null);
    return this;
  }

  RolloutSim steps(RolloutStep... steps) {
    strategy = strategy(List.of(steps), strategy.getAnalysis());
    return this;
  }

  RolloutSim analysis(String interval, double maxErrorRate, long minRequests, int failureLimit) {
    AnalysisSpec a = new AnalysisSpec();
    a.setInterval(interval);
    a.setMaxErrorRate(maxErrorRate);
    a.setMinRequests(minRequests);
    a.setFailureLimit(failureLimit);
    strategy.setAnalysis(a);
    return this;
  }

  RolloutInput input() {
    List<AgentView> views = agents.values().stream().map(Agent::view).toList();
    return new RolloutInput(candidate, stable, canary, sequence, state,
        Strategy.resolve(strategy, Strategy.allAtOnce()), paused, requested, views, stale, outdated, now, "app=agent");
  }

  /** One decision; publishes its target and keeps its state as status would. */
  RolloutDecision decide() {
    last = CanaryRollout.INSTANCE.decide(input());
    if (last.target() != null) {
      if (!java.util.Objects.equals(stable, last.target().stable())
          || !java.util.Objects.equals(canary, last.target().canary())) {
        sequence++;
      }
      stable = last.target().stable();
      canary = last.target().canary();
    }
    PolicyStatus status = new PolicyStatus();
    RolloutStatus.write(last.next(), last.agents(), status);
    state = RolloutStatus.read(status);
    events.addAll(last.transitions());
    return last;
  }

  /** Every agent applies the published envelope (an agent that {@link Agent#rejects} refuses a canary). */
  RolloutSim apply() {
    for (Agent a : agents.values()) {
      a.sequence = sequence;
      boolean isCanary = canary != null && Bucketing.isCanary(a.bucket, canary.threshold());
      PublishedRevision want = isCanary ? canary : stable;
      if (isCanary && a.rejects) {
        a.state = AgentReport.REJECTED;
        a.rejectedRevision = canary.revision();
        a.reason = "InvalidSpec";
        a.message = "spec.cache.maximumSize: too large for this agent";
        continue;
      }
      a.revision = want == null ? null : want.revision();
      a.state = AgentReport.APPLIED;
    }
    return this;
  }

  /** decide, apply, decide: a step published and acknowledged. */
  RolloutDecision cycle() {
    decide();
    apply();
    return decide();
  }

  RolloutSim advance(Duration d) {
    now = now.plus(d);
    return this;
  }

  /** Adds requests to every agent serving {@code revision}, {@code errorsEach} of them errors. */
  RolloutSim traffic(String revision, long requestsEach, long errorsEach) {
    for (Agent a : agents.values()) {
      if (revision.equals(a.revision)) {
        long[] c = a.counters.computeIfAbsent(revision, r -> new long[2]);
        c[0] += requestsEach;
        c[1] += errorsEach;
      }
    }
    return this;
  }

  long canaries() {
    return agents.values().stream().filter(a -> canary != null && Bucketing.isCanary(a.bucket, canary.threshold()))
        .count();
  }

  List<Transition> transitions() {
    return events.stream().map(Transition.Event::transition).toList();
  }

  static PublishedRevision revision(int version, long generation) {
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    spec.putObject("cache").put("maximumSize", version);
    return new PublishedRevision(Revisions.of(spec), generation, spec, null);
  }

  static RolloutStrategy strategy(List<RolloutStep> steps, AnalysisSpec analysis) {
    RolloutStrategy s = new RolloutStrategy();
    s.setSteps(new ArrayList<>(steps));
    s.setProgressDeadline("10m");
    s.setAnalysis(analysis);
    return s;
  }

  static RolloutStep weight(int w) {
    RolloutStep s = new RolloutStep();
    s.setSetWeight(w);
    return s;
  }

  static RolloutStep pause(String duration) {
    RolloutStep s = new RolloutStep();
    PauseStep p = new PauseStep();
    p.setDuration(duration);
    s.setPause(p);
    return s;
  }
}

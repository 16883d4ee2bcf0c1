package io.cacheplane.operator.rollout;

import static io.cacheplane.operator.rollout.RolloutSim.T0;
import static io.cacheplane.operator.rollout.RolloutSim.pause;
import static io.cacheplane.operator.rollout.RolloutSim.revision;
import static io.cacheplane.operator.rollout.RolloutSim.weight;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.operator.status.DesiredCondition;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of the rollout state machine, one named row each. Rows drive {@link RolloutSim}: decisions are
 * published, their state goes through status and back, agents apply what is published by their bucket. Default
 * scenario: 10 agents on stable v1, candidate v2, steps [setWeight 10, pause 1m, setWeight 50, pause, setWeight 100],
 * progressDeadline 10m, no analysis.
 */
class CanaryRolloutTest {

  static final PublishedRevision V1 = revision(1, 1);
  static final PublishedRevision V2 = revision(2, 2);
  static final PublishedRevision V3 = revision(3, 3);

  record Row(String name, Function<RolloutSim, RolloutDecision> scenario, Consumer<RolloutSim> check) {
    @Override public String toString() { return name; }
  }

  static Arguments row(String name, Function<RolloutSim, RolloutDecision> scenario, Consumer<RolloutSim> check) {
    return Arguments.of(new Row(name, scenario, check));
  }

  static DesiredCondition cond(RolloutSim s, String type) {
    return s.last.conditions().stream().filter(c -> c.type().equals(type)).findFirst().orElseThrow();
  }

  static void is(RolloutSim s, String type, boolean status, String reason) {
    assertThat(cond(s, type)).as(type).extracting(DesiredCondition::status, DesiredCondition::reason)
        .containsExactly(status, reason);
  }

  /** Through setWeight 10 (ACKed) into the bake of step 2. */
  static RolloutDecision toBake(RolloutSim s) {
    s.agents(10);
    return s.cycle();
  }

  /** Through the bake into setWeight 50 (ACKed), then into the indefinite pause. */
  static RolloutDecision toIndefinitePause(RolloutSim s) {
    toBake(s);
    s.advance(Duration.ofSeconds(61));
    return s.cycle();
  }

  static Stream<Arguments> rows() {
    return Stream.of(
        row("start: canary to ceil(10% of 10) = 1 agent, stable stays", s -> s.agents(10).decide(), s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary().revision()).isEqualTo(V2.revision());
          assertThat(s.canaries()).isEqualTo(1);
          is(s, "Progressing", true, "StepSetWeight");
          is(s, "Ready", false, "RolloutInProgress");
          is(s, "Degraded", false, "Published");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Progressing);
          assertThat(s.transitions()).containsExactly(Transition.STARTED);
          assertThat(s.last.wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
          assertThat(s.state.stepIndex()).isZero();
          assertThat(s.state.weight()).isEqualTo(10);
          assertThat(s.state.stepStartedAt()).isEqualTo(T0);
        }),
        row("creation with agents: stable absent, canary only", s -> s.agents(10).noStable().decide(), s -> {
          assertThat(s.last.target().stable()).isNull();
          assertThat(s.last.target().canary().revision()).isEqualTo(V2.revision());
          assertThat(s.canaries()).isEqualTo(1);
        }),
        row("creation without agents: stable at once, nothing waits, NoMatchingAgents", s -> s.noStable().decide(), s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          is(s, "Ready", false, "NoMatchingAgents");
          is(s, "Degraded", true, "NoMatchingAgents");
          assertThat(cond(s, "Ready").message()).startsWith("no live agent matches agentSelector app=agent: revision "
              + V2.revision() + " is published as stable");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Degraded);
          is(s, "Progressing", false, "RolloutCompleted");
          assertThat(s.last.agents().matched()).isZero();
          assertThat(s.transitions()).containsExactly(Transition.COMPLETED, Transition.CONVERGED);
          assertThat(s.last.wakeAt()).isNull();
        }),
        row("a change while no agent matches: stable at once, no progress deadline to wait for", s -> s.decide(), s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          is(s, "Ready", false, "NoMatchingAgents");
          assertThat(s.last.wakeAt()).isNull();
          assertThat(s.state.aborted()).isNull();
        }),
        row("agents appear after NoMatchingAgents: they get the stable revision, then Ready", s -> {
          s.decide();
          s.agents(3).agents.values().forEach(a -> a.revision = null); // new agents have nothing yet
          s.decide();
          is(s, "Ready", false, "AgentsConverging");
          s.apply();
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          is(s, "Ready", true, "Published");
          is(s, "Degraded", false, "Published");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Healthy);
          assertThat(s.last.agents().matched()).isEqualTo(3);
        }),
        row("setWeight without ACK keeps waiting", s -> {
          s.agents(10).decide();
          return s.advance(Duration.ofMinutes(1)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isZero();
          is(s, "Progressing", true, "StepSetWeight");
          assertThat(cond(s, "Progressing").message()).contains("1 of 10 live agent(s) targeted, 0 serve");
          assertThat(s.transitions()).containsExactly(Transition.STARTED);
        }),
        row("setWeight ACKed: the bake starts", CanaryRolloutTest::toBake, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Progressing", true, "StepPaused");
          assertThat(s.last.wakeAt()).isEqualTo(T0.plusSeconds(60));
          assertThat(s.last.agents().canary()).isEqualTo(1);
          assertThat(s.last.agents().stable()).isEqualTo(9);
        }),
        row("bake not over: waits until its end", s -> {
          toBake(s);
          return s.advance(Duration.ofSeconds(30)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          assertThat(s.last.wakeAt()).isEqualTo(T0.plusSeconds(60));
        }),
        row("bake over: the next setWeight raises the threshold, never lowers it", s -> {
          toBake(s);
          return s.advance(Duration.ofSeconds(61)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(2);
          assertThat(s.state.weight()).isEqualTo(50);
          assertThat(s.canaries()).isEqualTo(5);
          assertThat(s.transitions()).contains(Transition.STEP_ADVANCED);
        }),
        row("indefinite pause waits for promote", CanaryRolloutTest::toIndefinitePause, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(3);
          is(s, "Paused", true, "AwaitingPromote");
          is(s, "Progressing", true, "StepPaused");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Paused);
          assertThat(s.last.wakeAt()).isNull();
        }),
        row("promote token skips the indefinite pause, once", s -> {
          toIndefinitePause(s);
          s.requested = new Controls("t1", null, null, null);
          s.decide();
          return s.decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(4);
          assertThat(s.canaries()).isEqualTo(10);
          assertThat(s.state.handled().promote()).isEqualTo("t1");
          assertThat(s.transitions().stream().filter(t -> t == Transition.PROMOTED)).hasSize(1);
        }),
        row("a handled promote token does nothing again", s -> {
          s.agents(3).steps(pause(null), pause(null), weight(100));
          s.requested = new Controls("t1", null, null, null);
          s.decide();
          return s.advance(Duration.ofMinutes(5)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Paused", true, "AwaitingPromote");
        }),
        row("all steps done: canary promoted to stable, Ready once every agent serves it", s -> {
          toIndefinitePause(s);
          s.requested = new Controls("t1", null, null, null);
          s.advance(Duration.ofSeconds(5));
          return s.cycle();
        }, s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          is(s, "Ready", true, "Published");
          is(s, "Progressing", false, "RolloutCompleted");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Healthy);
          assertThat(s.state.history()).extracting(RolloutState.History::outcome).containsExactly("Promoted");
          assertThat(s.state.lastConvergenceSeconds()).isEqualTo(66L);
          assertThat(s.last.convergedSeconds()).isEqualTo(66L);
          assertThat(s.transitions()).endsWith(Transition.COMPLETED, Transition.CONVERGED);
          assertThat(s.state.canaryRevision()).isNull();
        }),
        row("steps [{setWeight: 100}] rolls out all at once", s -> {
          s.agents(10).steps(weight(100)).decide();
          assertThat(s.canary.threshold()).isEqualTo(Bucketing.ALL);
          return s.apply().decide();
        }, s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          is(s, "Ready", true, "Published");
        }),
        row("promote-full promotes at once", s -> {
          s.agents(10).decide();
          s.requested = new Controls(null, "now", null, null);
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable().revision()).isEqualTo(V2.revision());
          assertThat(s.last.target().canary()).isNull();
          assertThat(s.transitions()).contains(Transition.PROMOTED_FULL, Transition.COMPLETED);
          is(s, "Ready", false, "AgentsConverging");
        }),
        row("abort: back to stable, Degraded Aborted", s -> {
          s.agents(10).cycle();
          s.requested = new Controls(null, null, "a1", null);
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary()).isNull();
          is(s, "Degraded", true, "Aborted");
          is(s, "Ready", false, "Aborted");
          assertThat(s.state.aborted().revision()).isEqualTo(V2.revision());
          assertThat(s.state.history()).extracting(RolloutState.History::outcome).containsExactly("Aborted");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Degraded);
        }),
        row("an aborted revision stays off", s -> {
          s.agents(10).cycle();
          s.requested = new Controls(null, null, "a1", null);
          s.decide();
          s.apply();
          return s.advance(Duration.ofHours(1)).decide();
        }, s -> {
          assertThat(s.last.target().canary()).isNull();
          is(s, "Degraded", true, "Aborted");
          assertThat(s.transitions()).containsOnlyOnce(Transition.ABORTED);
        }),
        row("retry restarts the steps", s -> {
          s.agents(10).cycle();
          s.requested = new Controls(null, null, "a1", null);
          s.decide();
          s.apply();
          s.requested = new Controls(null, null, "a1", "r1");
          return s.advance(Duration.ofMinutes(1)).decide();
        }, s -> {
          assertThat(s.transitions()).endsWith(Transition.RETRIED, Transition.STARTED);
          assertThat(s.state.stepIndex()).isZero();
          assertThat(s.state.aborted()).isNull();
          assertThat(s.last.target().canary().revision()).isEqualTo(V2.revision());
          is(s, "Degraded", false, "Published");
        }),
        row("NACK by a canary agent rolls back and names the agent", s -> {
          s.agents(10).agents.values().forEach(a -> a.rejects = true);
          return s.cycle();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary()).isNull();
          is(s, "Degraded", true, "RolledBack");
          is(s, "Ready", false, "RolledBack");
          String nacker = s.agents.values().stream().filter(a -> a.rejectedRevision != null).findFirst()
              .orElseThrow().name;
          assertThat(cond(s, "Degraded").message()).contains("agent " + nacker + " rejected revision "
              + V2.revision() + ": InvalidSpec: spec.cache.maximumSize");
          assertThat(s.events).anySatisfy(e -> assertThat(e.rollbackReason()).isEqualTo("nack"));
          assertThat(s.state.history()).extracting(RolloutState.History::outcome).containsExactly("RolledBack");
        }),
        row("error rate above maxErrorRate with enough requests rolls back", s -> {
          s.analysis("30s", 0.05, 20, 0);
          toBake(s);
          s.traffic(V2.revision(), 100, 20).traffic(V1.revision(), 100, 0);
          return s.advance(Duration.ofSeconds(31)).decide();
        }, s -> {
          is(s, "Degraded", true, "RolledBack");
          assertThat(cond(s, "Degraded").message()).contains("canary error rate 20.00% (20/100)")
              .contains("above maxErrorRate 5.00%");
          assertThat(s.events).anySatisfy(e -> assertThat(e.rollbackReason()).isEqualTo("analysis"));
          assertThat(s.last.target().canary()).isNull();
        }),
        row("too few requests is inconclusive: no verdict, the bake does not end", s -> {
          s.analysis("30s", 0.05, 20, 0);
          toBake(s);
          s.traffic(V2.revision(), 5, 5);
          return s.advance(Duration.ofSeconds(61)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Degraded", false, "Published");
          is(s, "Paused", false, "NotPaused");
          assertThat(s.state.analysis().lastResult()).contains("inconclusive").contains("5 of the 20");
        }),
        row("inconclusive until the progress deadline: paused for a person", s -> {
          s.analysis("30s", 0.05, 20, 0);
          toBake(s);
          return s.advance(Duration.ofMinutes(10).plusSeconds(1)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Paused", true, "AnalysisInconclusive");
          is(s, "Degraded", false, "Published");
        }),
        row("canary worse than stable beyond maxErrorRate/2 fails (relative)", s -> {
          s.analysis("30s", 0.05, 20, 0);
          toBake(s);
          s.traffic(V1.revision(), 10, 0);
          s.decide(); // stable agents join the baseline
          s.traffic(V1.revision(), 100, 0).traffic(V2.revision(), 100, 3);
          return s.advance(Duration.ofSeconds(31)).decide();
        }, s -> {
          is(s, "Degraded", true, "RolledBack");
          assertThat(cond(s, "Degraded").message()).contains("3.00%").contains("stable 0.00% (0/900)")
              .contains("exceeds the stable rate by more than 2.50%");
        }),
        row("a passing analysis lets the bake end", s -> {
          s.analysis("30s", 0.05, 20, 1);
          toBake(s);
          s.traffic(V2.revision(), 50, 0);
          s.advance(Duration.ofSeconds(31)).decide();
          assertThat(s.state.stepIndex()).isEqualTo(1);
          return s.advance(Duration.ofSeconds(30)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(2);
          assertThat(s.state.analysis().lastPassAt()).isEqualTo(T0.plusSeconds(31));
        }),
        row("no ACK within progressDeadline rolls back", s -> {
          s.agents(10).decide();
          return s.advance(Duration.ofMinutes(10)).decide();
        }, s -> {
          is(s, "Degraded", true, "ProgressDeadlineExceeded");
          is(s, "Ready", false, "RolledBack");
          assertThat(cond(s, "Degraded").message()).contains("1 of 1 canary agent(s) did not acknowledge");
          assertThat(s.events).anySatisfy(e -> assertThat(e.rollbackReason()).isEqualTo("progress_deadline"));
        }),
        row("a new generation supersedes the canary, which drains first", s -> {
          toBake(s);
          s.candidate = V3;
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary()).isNull();
          is(s, "Progressing", true, "Draining");
          assertThat(s.state.history()).extracting(RolloutState.History::revision, RolloutState.History::outcome)
              .containsExactly(org.assertj.core.groups.Tuple.tuple(V2.revision(), "Superseded"));
          assertThat(s.transitions()).endsWith(Transition.SUPERSEDED);
        }),
        row("drained: the newest revision starts at step 1", s -> {
          toBake(s);
          s.candidate = V3;
          s.decide();
          s.apply();
          return s.decide();
        }, s -> {
          assertThat(s.last.target().canary().revision()).isEqualTo(V3.revision());
          assertThat(s.state.stepIndex()).isZero();
          assertThat(s.transitions()).endsWith(Transition.STARTED);
        }),
        row("drain: reports older than the drain envelope never count, however they look", s -> {
          toBake(s);
          s.candidate = V3;
          s.decide();
          s.agents.values().forEach(a -> a.revision = V1.revision()); // stale reports (sequence not above the drain)
          return s.decide();
        }, s -> {
          is(s, "Progressing", true, "Draining");
          assertThat(s.last.target().canary()).isNull();
          assertThat(s.state.drainAfter()).isNotNull();
          assertThat(s.last.wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        }),
        row("drain: gives up waiting after progressDeadline", s -> {
          toBake(s);
          s.candidate = V3;
          s.decide();
          return s.advance(Duration.ofMinutes(10)).decide();
        }, s -> {
          assertThat(s.last.target().canary().revision()).isEqualTo(V3.revision());
          assertThat(s.state.drainAfter()).isNull();
        }),
        row("editing only the steps restarts them", s -> {
          toBake(s);
          s.advance(Duration.ofSeconds(61)).decide();
          s.steps(weight(20), weight(100));
          return s.decide();
        }, s -> {
          assertThat(s.transitions()).contains(Transition.STEPS_CHANGED);
          assertThat(s.state.stepIndex()).isZero();
          assertThat(s.state.weight()).isEqualTo(20);
          assertThat(s.canaries()).isEqualTo(2);
        }),
        row("spec reverted to the stable revision ends the rollout at once", s -> {
          toBake(s);
          s.candidate = V1;
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary()).isNull();
          assertThat(s.transitions()).endsWith(Transition.REVERTED);
          is(s, "Progressing", false, "RolloutCompleted");
          is(s, "Ready", false, "AgentsConverging");
          assertThat(s.state.canaryPublishedAt()).isNull();
        }),
        row("no live agent left mid-rollout: nothing is promoted early, the steps go on", s -> {
          s.agents(10).decide();
          s.agents.clear(); // e.g. an empty cache: must never look like "no agent, publish as stable"
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary().revision()).isEqualTo(V2.revision());
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Progressing", true, "StepPaused");
        }),
        row("spec.paused freezes the step and its timers", s -> {
          toBake(s);
          s.paused = true;
          s.decide();
          return s.advance(Duration.ofMinutes(5)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(1);
          is(s, "Paused", true, "SpecPaused");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Paused);
          assertThat(s.state.pausedAt()).isEqualTo(T0);
          assertThat(s.last.target().canary()).isNotNull();
        }),
        row("resume shifts the bake by the pause", s -> {
          toBake(s);
          s.paused = true;
          s.decide();
          s.advance(Duration.ofMinutes(5));
          s.paused = false;
          s.decide();
          assertThat(s.last.wakeAt()).isEqualTo(T0.plus(Duration.ofMinutes(6)));
          s.advance(Duration.ofSeconds(59)).decide();
          assertThat(s.state.stepIndex()).isEqualTo(1);
          return s.advance(Duration.ofSeconds(2)).decide();
        }, s -> {
          assertThat(s.state.stepIndex()).isEqualTo(2);
          assertThat(s.transitions()).contains(Transition.PAUSED, Transition.RESUMED);
        }),
        row("spec.paused before a rollout starts publishes nothing new", s -> {
          s.agents(10).paused = true;
          return s.decide();
        }, s -> {
          assertThat(s.last.target().stable()).isEqualTo(V1);
          assertThat(s.last.target().canary()).isNull();
          is(s, "Paused", true, "SpecPaused");
        }),
        row("an agent without schema version 1 holds everything", s -> {
          s.agents(10).outdated = List.of("agent-3");
          return s.decide();
        }, s -> {
          assertThat(s.last.target()).isNull();
          is(s, "Degraded", true, "AgentsOutdated");
          assertThat(cond(s, "Degraded").message()).contains("agent-3").contains("cacheplane.io/schema-versions");
          assertThat(s.state).isEqualTo(RolloutState.INITIAL);
        }),
        row("agents leaving: the threshold rises to keep ceil(50% of N) canaries", s -> {
          toBake(s);
          s.advance(Duration.ofSeconds(61)).cycle();
          long before = s.canary.threshold();
          List<String> gone = s.agents.values().stream().filter(a -> Bucketing.isCanary(a.bucket, before))
              .limit(2).map(a -> a.name).toList();
          gone.forEach(s.agents::remove);
          s.decide();
          assertThat(s.canary.threshold()).isGreaterThanOrEqualTo(before);
          return s.last;
        }, s -> assertThat(s.canaries()).isEqualTo(Bucketing.canaryCount(8, 50))),
        row("stable but an agent behind: AgentsConverging", s -> {
          s.agents(10);
          s.candidate = V1;
          s.agents.get("agent-0").revision = null;
          return s.decide();
        }, s -> {
          is(s, "Ready", false, "AgentsConverging");
          assertThat(cond(s, "Ready").message()).contains("agent-0");
          assertThat(s.last.phase()).isEqualTo(PolicyPhase.Progressing);
        }),
        row("rolled back with no stable yet: a canary no agent applies", s -> {
          s.agents(10).noStable().agents.values().forEach(a -> a.rejects = true);
          return s.cycle();
        }, s -> {
          assertThat(s.last.target().stable()).isNull();
          assertThat(s.last.target().canary().threshold()).isZero();
          is(s, "Ready", false, "RolledBack");
        }),
        row("a rollback whose status patch was lost is never undone", s -> {
          toBake(s);
          s.canary = null; // the ConfigMap was rolled back; status still says the canary runs
          return s.decide();
        }, s -> {
          assertThat(s.last.target().canary()).isNull();
          assertThat(s.last.target().stable()).isEqualTo(V1);
          is(s, "Degraded", true, "RolledBack");
          assertThat(s.state.aborted().revision()).isEqualTo(V2.revision());
          assertThat(s.transitions().stream().filter(t -> t == Transition.STARTED)).hasSize(1);
        }),
        row("a ConfigMap ahead of status: its canary resumes from step 1, threshold kept", s -> {
          s.agents(10);
          s.canary = new PublishedRevision(V2.revision(), 2L, V2.spec(), 3_000_000_000L);
          return s.decide();
        }, s -> {
          assertThat(s.state.canaryRevision()).isEqualTo(V2.revision());
          assertThat(s.state.stepIndex()).isZero();
          assertThat(s.canary.threshold()).isEqualTo(3_000_000_000L);
        }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void transition(Row row) {
    RolloutSim sim = new RolloutSim();
    row.scenario().apply(sim);
    row.check().accept(sim);
  }
}

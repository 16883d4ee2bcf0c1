package io.cacheplane.operator.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.v1alpha1.RolloutStep;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Cohorts through the state machine (not just {@link Bucketing}): random agent sets and rising weight sequences give
 * exactly {@code ceil(w% × N)} canaries at each step (at least one when w > 0), and no agent ever moves from canary back
 * to stable within a rollout — also when agents join or leave between steps.
 */
class CohortPropertyTest {

  @Provide
  Arbitrary<List<Integer>> risingWeights() {
    return Arbitraries.integers().between(1, 100).set().ofMinSize(1).ofMaxSize(6)
        .map(s -> new ArrayList<>(new TreeSet<>(s)));
  }

  private static RolloutSim sim(int agents, List<Integer> weights, String prefix) {
    RolloutSim sim = new RolloutSim();
    for (int i = 0; i < agents; i++) {
      sim.addAgent(prefix + i);
    }
    sim.steps(weights.stream().map(RolloutSim::weight).toArray(RolloutStep[]::new));
    return sim;
  }

  @Property(tries = 200)
  void exactlyCeilCanariesAndNoneMovesBack(@ForAll @IntRange(min = 1, max = 60) int agents,
      @ForAll("risingWeights") List<Integer> weights, @ForAll @IntRange(min = 0, max = 9999) int salt) {
    RolloutSim sim = sim(agents, weights, "pod-" + salt + "-");
    Set<String> canaries = new HashSet<>();
    sim.decide();
    int lastWeight = 0;
    // a step whose cohort is already acknowledged (no new canary needed) is passed in the same decision
    for (int guard = 0; sim.state.canaryRevision() != null && guard <= weights.size(); guard++) {
      int w = sim.state.weight();
      assertThat(weights).contains(w);
      assertThat(w).isGreaterThan(lastWeight);
      lastWeight = w;
      Set<String> now = canarySet(sim);
      assertThat(now).hasSize(Math.max(1, Bucketing.canaryCount(agents, w)));
      assertThat(now).containsAll(canaries);
      canaries = now;
      sim.apply();
      sim.decide();
    }
    assertThat(sim.state.canaryRevision()).isNull(); // every step acknowledged: promoted
    assertThat(sim.stable.revision()).isEqualTo(sim.candidate.revision());
  }

  @Property(tries = 200)
  void joiningAndLeavingAgentsNeverMoveACanaryBack(@ForAll @IntRange(min = 2, max = 40) int agents,
      @ForAll("risingWeights") List<Integer> weights, @ForAll @IntRange(min = 0, max = 5) int leave,
      @ForAll @IntRange(min = 0, max = 5) int join, @ForAll @IntRange(min = 0, max = 9999) int salt) {
    RolloutSim sim = sim(agents, weights, "pod-" + salt + "-");
    Set<String> canaries = new HashSet<>();
    sim.decide();
    int joined = 0;
    for (int guard = 0; sim.state.canaryRevision() != null && guard <= weights.size(); guard++) {
      int w = sim.state.weight();
      Set<String> now = canarySet(sim);
      int n = sim.agents.size();
      assertThat(now).as("at least ceil(%d%% of %d)", w, n).hasSizeGreaterThanOrEqualTo(Bucketing.canaryCount(n, w));
      Set<String> stillHere = new HashSet<>(canaries);
      stillHere.retainAll(sim.agents.keySet());
      assertThat(now).containsAll(stillHere);
      canaries = now;
      sim.apply();
      // churn between steps: some agents leave, new ones join (they serve stable until they apply)
      List<String> names = new ArrayList<>(sim.agents.keySet());
      for (int i = 0; i < leave && sim.agents.size() > 1; i++) {
        sim.agents.remove(names.get((salt + i * 7) % names.size()));
      }
      for (int i = 0; i < join; i++) {
        sim.addAgent("late-" + salt + "-" + (joined++));
      }
      sim.decide();
      if (sim.state.canaryRevision() == null) {
        break;
      }
      sim.apply();
      sim.decide();
    }
  }

  private static Set<String> canarySet(RolloutSim sim) {
    Set<String> out = new HashSet<>();
    if (sim.canary == null) {
      return out;
    }
    sim.agents.values().forEach(a -> {
      if (Bucketing.isCanary(a.bucket, sim.canary.threshold())) {
        out.add(a.name);
      }
    });
    return out;
  }
}

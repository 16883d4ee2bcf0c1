package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.condition;
import static io.cacheplane.operator.it.Cluster.configMapOf;
import static io.cacheplane.operator.it.Cluster.count;
import static io.cacheplane.operator.it.Cluster.envelope;
import static io.cacheplane.operator.it.Cluster.isReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.v1alpha1.AnalysisSpec;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PauseStep;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.cacheplane.operator.rollout.Strategy;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canary rollout against the fabric8 mock server with 10 simulated agents (Pods + Leases written as real agents
 * write them). The operator's clock is a {@link MutableClock} the test advances; timers are re-checked every 200 ms
 * ({@code maxTimerDelay}). One operator per test, watching the test's own namespace.
 */
@EnableKubernetesMockClient(crud = true)
class CanaryRolloutIT {

  static KubernetesMockServer server;
  static KubernetesClient client;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int AGENTS = 10;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T09:00:00Z"));
  private SimpleMeterRegistry registry;
  private CacheplaneOperator operator;
  private SimulatedAgents agents;
  private String ns;

  @BeforeAll
  static void crds() {
    Cluster.registerCrds(client);
  }

  @BeforeEach
  void start() {
    ns = "canary-" + NAMESPACES.incrementAndGet();
    agents = new SimulatedAgents(client, ns, AGENTS);
    operator = startOperator();
  }

  private CacheplaneOperator startOperator() {
    registry = new SimpleMeterRegistry();
    return CacheplaneOperator.start(client, OperatorSettings.defaults().withNamespaces(Set.of(ns))
        .withMeterRegistry(registry).withClock(clock).withDefaultStrategy(Strategy.allAtOnce())
        .withMaxTimerDelay(Duration.ofMillis(200)));
  }

  @AfterEach
  void stop() {
    operator.close();
    Cluster.awaitResponsive(client);
  }

  // ---- helpers ----

  private CachePolicy get(String name) {
    return client.resources(CachePolicy.class).inNamespace(ns).withName(name).get();
  }

  /** Polls (letting the agents apply what is published on every poll) until {@code p} holds. */
  private CachePolicy until(String name, Predicate<CachePolicy> p) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
      CachePolicy cp = get(name);
      if (cp != null && cp.getMetadata().getUid() != null) {
        agents.sync(cp);
      }
      return p.test(get(name));
    });
    return get(name);
  }

  /** A policy published all at once (revision v1 on every agent), whose later changes follow {@code steps}. */
  private CachePolicy stable(String name, RolloutStrategy later) {
    CachePolicy p = Fixtures.cachePolicy(ns, name, 100);
    p.getSpec().setRollout(Strategy.allAtOnce());
    client.resource(p).create();
    CachePolicy ready = until(name, cp -> isReady(cp) && agents.serving(cp.getStatus().getStableRevision()) == AGENTS);
    CachePolicy edited = edit(name, cp -> cp.getSpec().setRollout(later));
    long generation = edited.getMetadata().getGeneration();
    return until(name, cp -> cp.getStatus().getObservedGeneration() == generation && isReady(cp));
  }

  /** Edits the policy, retrying when the operator's status patch got in between (409). */
  private CachePolicy edit(String name, java.util.function.Consumer<CachePolicy> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        return client.resources(CachePolicy.class).inNamespace(ns).withName(name).edit(cp -> {
          change.accept(cp);
          return cp;
        });
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt > 20) {
          throw e;
        }
      }
    }
  }

  private void resize(String name, long size) {
    edit(name, cp -> cp.getSpec().getCache().setMaximumSize(size));
  }

  private void annotate(String name, String key, String value) {
    edit(name, cp -> {
      if (cp.getMetadata().getAnnotations() == null) {
        cp.getMetadata().setAnnotations(new java.util.HashMap<>());
      }
      cp.getMetadata().getAnnotations().put(key, value);
    });
  }

  private static String revisionOf(CachePolicy p) {
    return EnvelopeCodec.publish(p.getSpec(), 0, null).revision();
  }

  private static RolloutStrategy steps(RolloutStep... steps) {
    RolloutStrategy s = new RolloutStrategy();
    s.setSteps(List.of(steps));
    s.setProgressDeadline("10m");
    return s;
  }

  private static RolloutStep weight(int w) {
    RolloutStep s = new RolloutStep();
    s.setSetWeight(w);
    return s;
  }

  private static RolloutStep pause(String duration) {
    RolloutStep s = new RolloutStep();
    PauseStep p = new PauseStep();
    p.setDuration(duration);
    s.setPause(p);
    return s;
  }

  private static boolean reason(CachePolicy p, String type, String status, String reason) {
    var c = condition(p, type);
    return c != null && status.equals(c.getStatus()) && reason.equals(c.getReason());
  }

  private Envelope published(CachePolicy p) {
    return envelope(configMapOf(client, p));
  }

  // ---- tests ----

  @Test
  void threeStepCanaryRunsToCompletion() {
    stable("pages", steps(weight(10), pause("1m"), weight(50), pause("1m"), weight(100)));
    resize("pages", 200);
    String v2 = revisionOf(get("pages"));

    CachePolicy baking = until("pages", p -> p.getStatus().getCurrentStepIndex() != null
        && p.getStatus().getCurrentStepIndex() == 1 && agents.serving(v2) == 1);
    Envelope e = published(baking);
    assertThat(e.canary().revision()).isEqualTo(v2);
    assertThat(agents.cohort(baking.getMetadata().getUid(), e.canary().threshold())).hasSize(1)
        .allSatisfy(n -> assertThat(agents.agents.get(n).serving).isEqualTo(v2));
    assertThat(baking.getStatus().getCanaryWeight()).isEqualTo(10);
    assertThat(baking.getStatus().getCanaryRevision()).isEqualTo(v2);
    assertThat(baking.getStatus().getAgents().getMatched()).isEqualTo(AGENTS);
    assertThat(baking.getStatus().getAgents().getCanary()).isEqualTo(1);
    assertThat(baking.getStatus().getPhase()).isEqualTo(PolicyPhase.Progressing);
    assertThat(reason(baking, "Progressing", "True", "StepPaused")).isTrue();
    assertThat(reason(baking, "Ready", "False", "RolloutInProgress")).isTrue();

    clock.advance(Duration.ofSeconds(61));
    CachePolicy half = until("pages", p -> p.getStatus().getCurrentStepIndex() != null
        && p.getStatus().getCurrentStepIndex() == 3 && agents.serving(v2) == 5);
    assertThat(published(half).canary().threshold()).isGreaterThanOrEqualTo(e.canary().threshold());
    assertThat(half.getStatus().getCanaryWeight()).isEqualTo(50);

    clock.advance(Duration.ofSeconds(61));
    CachePolicy done = until("pages", p -> isReady(p) && v2.equals(p.getStatus().getStableRevision()));
    assertThat(agents.serving(v2)).isEqualTo(AGENTS);
    assertThat(published(done).canary()).isNull();
    assertThat(published(done).stable().revision()).isEqualTo(v2);
    assertThat(done.getStatus().getCanaryRevision()).isNull();
    assertThat(done.getStatus().getPhase()).isEqualTo(PolicyPhase.Healthy);
    assertThat(done.getStatus().getHistory()).extracting(RevisionHistoryEntry::getOutcome).containsExactly("Promoted",
        "Promoted");
    assertThat(done.getStatus().getLastConvergenceSeconds()).isGreaterThanOrEqualTo(122L);
    // creation (all at once) and this rollout
    assertThat(count(registry, "rollout.transitions", "transition", "rollout_completed")).isEqualTo(2.0);
    assertThat(registry.find("cacheplane.operator.convergence").summaries()).extracting(DistributionSummary::count)
        .containsExactly(2L);
    await().atMost(WAIT).untilAsserted(() -> assertThat(client.v1().events().inNamespace(ns).list().getItems())
        .extracting(Event::getReason).contains("RolloutStarted", "StepAdvanced", "RolloutCompleted", "Converged"));
  }

  @Test
  void nackByACanaryRollsBackToStableOnly() {
    CachePolicy before = stable("pages", steps(weight(10), pause("1m"), weight(100)));
    String v1 = before.getStatus().getStableRevision();
    resize("pages", 300);
    String v2 = revisionOf(get("pages"));
    agents.agents.values().forEach(a -> a.rejects = v2);

    CachePolicy rolledBack = until("pages", p -> reason(p, "Degraded", "True", "RolledBack"));
    String uid = rolledBack.getMetadata().getUid();
    String nacker = agents.agents.keySet().stream()
        .min(java.util.Comparator.comparingLong(n -> io.cacheplane.api.contract.Bucketing.bucket(uid, n)))
        .orElseThrow(); // the one canary at 10 % of 10 agents: the lowest bucket
    assertThat(condition(rolledBack, "Degraded").getMessage()).contains("agent " + nacker + " rejected revision")
        .contains("InvalidSpec");
    assertThat(reason(rolledBack, "Ready", "False", "RolledBack")).isTrue();
    assertThat(rolledBack.getStatus().getPhase()).isEqualTo(PolicyPhase.Degraded);
    Envelope e = published(rolledBack);
    assertThat(e.canary()).isNull();
    assertThat(e.stable().revision()).isEqualTo(v1);
    assertThat(count(registry, "rollbacks", "reason", "nack")).isEqualTo(1.0);
    until("pages", p -> agents.serving(v1) == AGENTS);
  }

  @Test
  void errorRateOverTheLimitRollsBackAndTooFewRequestsDecidesNothing() {
    RolloutStrategy strategy = steps(weight(50), pause("10m"), weight(100));
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setInterval("30s");
    analysis.setMaxErrorRate(0.05);
    analysis.setMinRequests(20L);
    analysis.setFailureLimit(0);
    strategy.setAnalysis(analysis);
    CachePolicy before = stable("pages", strategy);
    String v1 = before.getStatus().getStableRevision();
    resize("pages", 200);
    String v2 = revisionOf(get("pages"));
    until("pages", p -> p.getStatus().getCurrentStepIndex() != null && p.getStatus().getCurrentStepIndex() == 1
        && agents.serving(v2) == 5);

    agents.traffic(v2, 1, 1); // 5 requests over 5 canaries: below minRequests
    clock.advance(Duration.ofSeconds(31));
    CachePolicy inconclusive = until("pages", p -> p.getStatus().getAnalysis() != null
        && p.getStatus().getAnalysis().getLastResult() != null
        && p.getStatus().getAnalysis().getLastResult().contains("inconclusive"));
    assertThat(inconclusive.getStatus().getCurrentStepIndex()).isEqualTo(1);
    assertThat(reason(inconclusive, "Degraded", "False", "Published")).isTrue();

    agents.traffic(v2, 20, 5);
    agents.traffic(v1, 20, 0);
    clock.advance(Duration.ofSeconds(31));
    CachePolicy rolledBack = until("pages", p -> reason(p, "Degraded", "True", "RolledBack"));
    assertThat(condition(rolledBack, "Degraded").getMessage()).contains("above maxErrorRate 5.00%");
    assertThat(published(rolledBack).canary()).isNull();
    assertThat(count(registry, "rollbacks", "reason", "analysis")).isEqualTo(1.0);
  }

  @Test
  void indefinitePauseWaitsForThePromoteAnnotation() {
    stable("pages", steps(weight(20), pause(null), weight(100)));
    resize("pages", 200);
    String v2 = revisionOf(get("pages"));
    CachePolicy paused = until("pages", p -> reason(p, "Paused", "True", "AwaitingPromote") && agents.serving(v2) == 2);
    assertThat(paused.getStatus().getPhase()).isEqualTo(PolicyPhase.Paused);

    annotate("pages", RolloutControls.PROMOTE_ANNOTATION, "t1");
    CachePolicy done = until("pages", p -> isReady(p) && v2.equals(p.getStatus().getStableRevision()));
    assertThat(done.getStatus().getControls().getPromote()).isEqualTo("t1");
    assertThat(agents.serving(v2)).isEqualTo(AGENTS);
  }

  @Test
  void abortGoesBackToStableAndRetryRestartsTheSteps() {
    CachePolicy before = stable("pages", steps(weight(30), pause(null)));
    String v1 = before.getStatus().getStableRevision();
    resize("pages", 200);
    String v2 = revisionOf(get("pages"));
    until("pages", p -> reason(p, "Paused", "True", "AwaitingPromote") && agents.serving(v2) == 3);

    annotate("pages", RolloutControls.ABORT_ANNOTATION, "a1");
    CachePolicy aborted = until("pages", p -> reason(p, "Degraded", "True", "Aborted") && agents.serving(v1) == AGENTS);
    assertThat(reason(aborted, "Ready", "False", "Aborted")).isTrue();
    assertThat(published(aborted).canary()).isNull();
    assertThat(aborted.getStatus().getAborted().getRevision()).isEqualTo(v2);

    annotate("pages", RolloutControls.RETRY_ANNOTATION, "r1");
    CachePolicy retried = until("pages", p -> reason(p, "Paused", "True", "AwaitingPromote")
        && agents.serving(v2) == 3);
    assertThat(retried.getStatus().getAborted()).isNull();
    assertThat(retried.getStatus().getCurrentStepIndex()).isEqualTo(1);
    assertThat(retried.getStatus().getHistory()).extracting(RevisionHistoryEntry::getOutcome).contains("Aborted");
  }

  @Test
  void threeEditsWithinASecondConvergeOnTheLastWithoutAThirdRevision() throws Exception {
    stable("pages", steps(weight(30), pause("1m"), weight(100)));
    ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor();
    try {
      background.scheduleWithFixedDelay(() -> {
        try {
          agents.sync(get("pages"));
        } catch (RuntimeException ignored) {
          // the next round tries again
        }
      }, 0, 50, TimeUnit.MILLISECONDS);
      resize("pages", 200);
      resize("pages", 300);
      resize("pages", 400);
      String last = revisionOf(get("pages"));
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> {
        clock.advance(Duration.ofSeconds(61));
        CachePolicy p = get("pages");
        return isReady(p) && last.equals(p.getStatus().getStableRevision());
      });
    } finally {
      background.shutdownNow();
      background.awaitTermination(5, TimeUnit.SECONDS);
    }
    assertThat(agents.serving(revisionOf(get("pages")))).isEqualTo(AGENTS);
    assertThat(agents.observedMixes).isNotEmpty().allSatisfy(mix -> assertThat(mix).hasSizeLessThanOrEqualTo(2));
  }

  @Test
  void restartedOperatorResumesTheSameStepWithTheSameDeadline() {
    stable("pages", steps(weight(10), pause("2m"), weight(100)));
    resize("pages", 200);
    String v2 = revisionOf(get("pages"));
    CachePolicy baking = until("pages", p -> p.getStatus().getCurrentStepIndex() != null
        && p.getStatus().getCurrentStepIndex() == 1 && agents.serving(v2) == 1);
    String stepStarted = baking.getStatus().getCurrentStepStartedAt();
    assertThat(stepStarted).isEqualTo("2026-11-29T09:00:00Z");

    operator.close();
    Cluster.awaitResponsive(client);
    clock.advance(Duration.ofSeconds(60)); // half of the bake passes while no operator runs
    operator = startOperator();

    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      CachePolicy p = get("pages");
      assertThat(p.getStatus().getCurrentStepIndex())
          .as("%s", io.fabric8.kubernetes.client.utils.Serialization.asJson(p.getStatus())).isEqualTo(1);
      assertThat(p.getStatus().getCurrentStepStartedAt()).isEqualTo(stepStarted);
    });
    assertThat(count(registry, "rollout.transitions", "transition", "rollout_started")).isZero();

    clock.advance(Duration.ofSeconds(61)); // the bake ends 2 minutes after it started, not after the restart
    CachePolicy done = until("pages", p -> isReady(p) && v2.equals(p.getStatus().getStableRevision()));
    assertThat(count(registry, "rollout.transitions", "transition", "step_advanced")).isEqualTo(2.0);
    assertThat(count(registry, "rollout.transitions", "transition", "rollout_started")).isZero();
    assertThat(done.getStatus().getHistory()).extracting(RevisionHistoryEntry::getOutcome)
        .containsExactly("Promoted", "Promoted");
  }

  @Test
  void renewOnlyLeaseUpdatesTriggerNoReconcile() throws Exception {
    stable("pages", Strategy.allAtOnce());
    AtomicReference<Double> last = new AtomicReference<>(-1.0);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(300)).until(() -> {
      double now = count(registry, "reconciles"); // quiet: two polls in a row see the same count
      return now == last.getAndSet(now);
    });
    double before = count(registry, "reconciles");

    for (int i = 1; i <= 3; i++) {
      agents.renewAll(Instant.parse("2026-11-29T09:00:00Z").plusSeconds(i * 5L));
    }
    await().during(Duration.ofMillis(1500)).atMost(WAIT).untilAsserted(() ->
        assertThat(count(registry, "reconciles")).as("reconciles after renew-only Lease updates").isEqualTo(before));

    // a changed annotation (here: the schema versions) is a real change and reconciles
    client.leases().inNamespace(ns).withName(AgentLeases.leaseName("agent-0")).edit(l -> {
      l.getMetadata().getAnnotations().put(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, "1,2");
      return l;
    });
    await().atMost(WAIT).until(() -> count(registry, "reconciles") > before);
  }

  @Test
  void anAgentThatDoesNotReadSchemaVersion1HoldsThePublish() {
    CachePolicy before = stable("pages", steps(weight(50), pause(null)));
    client.leases().inNamespace(ns).withName(AgentLeases.leaseName("agent-4")).edit(l -> {
      l.getMetadata().getAnnotations().put(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, "2");
      return l;
    });
    long sequence = before.getStatus().getSequence();
    resize("pages", 200);
    CachePolicy held = until("pages", p -> reason(p, "Degraded", "True", "AgentsOutdated"));
    assertThat(condition(held, "Degraded").getMessage()).contains("agent-4");
    assertThat(published(held).sequence()).isEqualTo(sequence);
    assertThat(published(held).canary()).isNull();
  }

  @Test
  void aLeaseWithoutItsPodIsIgnored() {
    CachePolicy before = stable("pages", steps(weight(100)));
    client.pods().inNamespace(ns).withName("agent-9").delete();
    await().atMost(WAIT).until(() -> client.pods().inNamespace(ns).withName("agent-9").get() == null);
    resize("pages", 200);
    CachePolicy done = until("pages", p -> isReady(p) && !p.getStatus().getStableRevision()
        .equals(before.getStatus().getStableRevision()));
    assertThat(done.getStatus().getAgents().getMatched()).isEqualTo(AGENTS - 1);
  }
}

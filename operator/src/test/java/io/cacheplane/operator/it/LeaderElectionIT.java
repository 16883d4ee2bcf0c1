package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.count;
import static io.cacheplane.operator.it.Cluster.isReady;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PauseStep;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.LeaderElection;
import io.cacheplane.operator.OperatorSettings;
import io.cacheplane.operator.rollout.Strategy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas in one JVM with leader election (a Lease in their own namespace) against the fabric8 mock
 * server: only the leader reconciles, a standby takes over a rollout mid-bake without repeating or skipping a step and
 * keeps its bake deadline, a replica that loses the Lease stops, and no empty or partial envelope is ever published.
 * Leader election runs on real time with sub-second periods (lease 2 s, renew deadline 1.5 s, retry 200 ms); the
 * rollout runs on the operators' shared {@link MutableClock}.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionIT {

  static KubernetesMockServer server;
  static KubernetesClient client;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final String OPERATOR_NAMESPACE = "cacheplane-system";
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int AGENTS = 10;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-29T09:00:00Z"));
  private final List<CacheplaneOperator> operators = new ArrayList<>();
  /** Every version of every ConfigMap seen by a watch: the decode failure, or the envelope. */
  private final List<Object> published = new CopyOnWriteArrayList<>();
  private SimulatedAgents agents;
  private Watch watch;
  private String ns;

  @BeforeAll
  static void crdsAndRbac() {
    Cluster.registerCrds(client);
    // JOSDK checks with a SelfSubjectRulesReview that it may get, create and update Leases before it stands for
    // election; the mock server answers as the chart's Role allows.
    server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(OPERATOR_NAMESPACE).endSpec()
            .withNewStatus().withIncomplete(false).addNewResourceRule().withApiGroups("coordination.k8s.io")
            .withResources("leases").withVerbs("get", "create", "update").endResourceRule().endStatus().build())
        .always();
  }

  @BeforeEach
  void agentsAndWatch() {
    ns = "election-" + NAMESPACES.incrementAndGet();
    agents = new SimulatedAgents(client, ns, AGENTS);
    watch = client.configMaps().inNamespace(ns).watch(new Watcher<>() {
      @Override public void eventReceived(Action action, ConfigMap cm) {
        if (action == Action.ADDED || action == Action.MODIFIED) {
          try {
            published.add(EnvelopeCodec.decode(cm.getData() == null ? null : cm.getData().get(Envelope.DATA_KEY)));
          } catch (Exception e) {
            published.add("undecodable " + cm.getMetadata().getResourceVersion() + ": " + e);
          }
        }
      }
      @Override public void onClose(WatcherException cause) {}
    });
  }

  @AfterEach
  void stop() {
    watch.close();
    operators.forEach(CacheplaneOperator::close);
    Cluster.awaitResponsive(client);
  }

  private CacheplaneOperator replica(String identity, SimpleMeterRegistry registry) {
    CacheplaneOperator op = CacheplaneOperator.start(client, OperatorSettings.defaults().withNamespaces(Set.of(ns))
        .withMeterRegistry(registry).withClock(clock).withDefaultStrategy(Strategy.allAtOnce())
        .withMaxTimerDelay(Duration.ofMillis(200))
        .withLeaderElection(new LeaderElection("cacheplane-operator-" + ns, OPERATOR_NAMESPACE, identity,
            Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200))));
    operators.add(op);
    return op;
  }

  private Lease lease() {
    return client.leases().inNamespace(OPERATOR_NAMESPACE).withName("cacheplane-operator-" + ns).get();
  }

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

  private void edit(String name, Consumer<CachePolicy> change) {
    for (int attempt = 0; ; attempt++) {
      try {
        client.resources(CachePolicy.class).inNamespace(ns).withName(name).edit(cp -> {
          change.accept(cp);
          return cp;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt > 20) {
          throw e;
        }
      }
    }
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

  private static boolean atStep(CachePolicy p, int index) {
    return p.getStatus() != null && p.getStatus().getCurrentStepIndex() != null
        && p.getStatus().getCurrentStepIndex() == index;
  }

  /**
   * Every version of the ConfigMap decoded (the codec checks each revision against its spec), carried a revision
   * (stable, or a canary with its threshold while the creation rolls out), and sequences only rose; once a stable
   * revision was published, every later version carries one.
   */
  private void assertEveryPublishedEnvelopeWasWhole() {
    assertThat(published).isNotEmpty().allSatisfy(e -> assertThat(e).isInstanceOf(Envelope.class));
    long last = 0;
    boolean hadStable = false;
    for (Object o : published) {
      Envelope e = (Envelope) o;
      assertThat(e.stable() != null || e.canary() != null).as("sequence %d carries a revision", e.sequence()).isTrue();
      if (hadStable) {
        assertThat(e.stable()).as("stable of sequence %d", e.sequence()).isNotNull();
      }
      if (e.stable() != null) {
        hadStable = true;
        assertThat(e.stable().spec()).isNotNull();
      }
      if (e.canary() != null) {
        assertThat(e.canary().threshold()).isNotNull();
        assertThat(e.canary().spec()).isNotNull();
      }
      assertThat(e.sequence()).as("sequences rise, never repeat").isGreaterThan(last);
      last = e.sequence();
    }
  }

  @Test
  void theStandbyTakesOverMidBakeWithoutRepeatingOrSkippingAStep() throws Exception {
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    CacheplaneOperator a = replica("operator-a", registryA);
    await().atMost(WAIT).until(a::isLeader);
    CacheplaneOperator b = replica("operator-b", registryB);
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-a");

    CachePolicy p = Fixtures.cachePolicy(ns, "pages", 100);
    p.getSpec().setRollout(Strategy.allAtOnce());
    client.resource(p).create();
    until("pages", cp -> isReady(cp) && agents.serving(cp.getStatus().getStableRevision()) == AGENTS);
    edit("pages", cp -> cp.getSpec().setRollout(steps(weight(10), pause("2m"), weight(100))));
    long generation = get("pages").getMetadata().getGeneration();
    until("pages", cp -> cp.getStatus().getObservedGeneration() == generation && isReady(cp));
    double startedByA = count(registryA, "rollout.transitions", "transition", "rollout_started");
    double advancedByA = count(registryA, "rollout.transitions", "transition", "step_advanced");
    edit("pages", cp -> cp.getSpec().getCache().setMaximumSize(200L));
    String v2 = EnvelopeCodec.publish(get("pages").getSpec(), 0, null).revision();
    CachePolicy baking = until("pages", cp -> atStep(cp, 1) && agents.serving(v2) == 1);
    String stepStarted = baking.getStatus().getCurrentStepStartedAt();
    assertThat(b.isLeader()).isFalse();
    assertThat(count(registryB, "reconciles")).as("reconciles by the standby").isZero();

    clock.advance(Duration.ofSeconds(60)); // half of the bake passes under the first leader
    long stopped = System.nanoTime();
    a.close();
    System.out.printf("leader election: Lease holder right after the leader stopped: %s%n",
        lease().getSpec().getHolderIdentity());
    await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(b::isLeader);
    Duration takeover = Duration.ofNanos(System.nanoTime() - stopped);
    System.out.printf("leader election: the standby led %d ms after the leader stopped%n", takeover.toMillis());
    assertThat(lease().getSpec().getHolderIdentity()).isEqualTo("operator-b");

    await().atMost(WAIT).until(() -> count(registryB, "reconciles") > 0);
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      CachePolicy cp = get("pages");
      assertThat(cp.getStatus().getCurrentStepIndex()).as("the new leader stays in the bake").isEqualTo(1);
      assertThat(cp.getStatus().getCurrentStepStartedAt()).isEqualTo(stepStarted);
    });

    clock.advance(Duration.ofSeconds(61)); // the bake ends 2 minutes after it started under the first leader
    CachePolicy done = until("pages", cp -> isReady(cp) && v2.equals(cp.getStatus().getStableRevision()));
    assertThat(agents.serving(v2)).isEqualTo(AGENTS);
    assertThat(count(registryA, "rollout.transitions", "transition", "rollout_started") - startedByA).isEqualTo(1.0);
    assertThat(count(registryB, "rollout.transitions", "transition", "rollout_started")).isZero();
    // three steps, three advances in all: 1 by the first leader (setWeight 10 acknowledged), 2 by the second
    assertThat(count(registryA, "rollout.transitions", "transition", "step_advanced") - advancedByA).isEqualTo(1.0);
    assertThat(count(registryB, "rollout.transitions", "transition", "step_advanced")).isEqualTo(2.0);
    assertThat(done.getStatus().getHistory()).extracting(RevisionHistoryEntry::getOutcome)
        .containsExactly("Promoted", "Promoted");
    assertThat(done.getStatus().getHistory().get(1).getRevision()).isEqualTo(v2);
    assertThat(Duration.between(Instant.parse(stepStarted), Instant.parse(done.getStatus().getHistory().get(1)
        .getTime()))).as("promoted when the bake ended, not a bake after the takeover").isEqualTo(Duration.ofSeconds(121));
    assertEveryPublishedEnvelopeWasWhole();
  }

  @Test
  void aReplicaThatLosesTheLeaseStopsAndTheNextLeaderPicksUpWhatHappenedMeanwhile() throws Exception {
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    CacheplaneOperator a = replica("operator-a", new SimpleMeterRegistry());
    await().atMost(WAIT).until(a::isLeader);
    CachePolicy p = Fixtures.cachePolicy(ns, "pages", 100);
    p.getSpec().setRollout(Strategy.allAtOnce());
    client.resource(p).create();
    until("pages", cp -> isReady(cp) && agents.serving(cp.getStatus().getStableRevision()) == AGENTS);

    // someone else takes the Lease (as after a network partition): the leader cannot renew within its deadline
    client.leases().inNamespace(OPERATOR_NAMESPACE).withName("cacheplane-operator-" + ns).edit(l -> {
      l.getSpec().setHolderIdentity("intruder");
      l.getSpec().setLeaseDurationSeconds(3);
      l.getSpec().setRenewTime(ZonedDateTime.now(ZoneOffset.UTC));
      l.getSpec().setAcquireTime(ZonedDateTime.now(ZoneOffset.UTC));
      return l;
    });
    a.leadershipLost().get(10, TimeUnit.SECONDS);
    assertThat(a.isRunning()).isFalse();
    assertThat(a.isLeader()).isFalse();

    long generation = get("pages").getMetadata().getGeneration();
    edit("pages", cp -> cp.getSpec().getCache().setMaximumSize(300L));
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).untilAsserted(() ->
        assertThat(get("pages").getStatus().getObservedGeneration()).isEqualTo(generation));

    CacheplaneOperator b = replica("operator-b", registryB); // takes over once the intruder's Lease expires
    await().atMost(WAIT).until(b::isLeader);
    CachePolicy done = until("pages", cp -> isReady(cp) && cp.getStatus().getObservedGeneration() > generation);
    assertThat(Cluster.envelope(Cluster.configMapOf(client, done)).stable().revision())
        .isEqualTo(done.getStatus().getStableRevision());
    assertEveryPublishedEnvelopeWasWhole();
  }

  private static RolloutStrategy steps(RolloutStep... steps) {
    RolloutStrategy s = new RolloutStrategy();
    s.setSteps(new ArrayList<>(List.of(steps)));
    s.setProgressDeadline("10m");
    return s;
  }
}

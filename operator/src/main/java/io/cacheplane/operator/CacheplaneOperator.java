package io.cacheplane.operator;

import io.cacheplane.operator.agents.AgentCensus;
import io.cacheplane.operator.agents.AgentDirectory;
import io.cacheplane.operator.agents.LeaseLiveness;
import io.cacheplane.operator.agents.PodCache;
import io.cacheplane.operator.events.RolloutEvents;
import io.cacheplane.operator.gc.OrphanCollector;
import io.cacheplane.operator.metrics.OperatorMetrics;
import io.cacheplane.operator.reconcile.CachePolicyReconciler;
import io.cacheplane.operator.reconcile.PolicyPipeline;
import io.cacheplane.operator.reconcile.RoutePolicyReconciler;
import io.cacheplane.operator.rollout.CanaryRollout;
import io.cacheplane.operator.rollout.Controls;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane without Quarkus: a JOSDK {@link Operator} with the CachePolicy and RoutePolicy reconcilers,
 * plus the {@link OrphanCollector}. Local mode, system tests and the Quarkus shell all start it through
 * {@link #start}. The caller owns the {@link KubernetesClient}: it is never closed here.
 * <p>JOSDK is configured without server-side apply (status goes through a plain PATCH of the status subresource,
 * ConfigMaps through create / update with optimistic locking), which works on the fabric8 mock server (no SSA there)
 * and on a real API server alike.
 * Rollouts follow {@link CanaryRollout} with the settings' default strategy; agents are judged from their Leases
 * (liveness by the settings' clock) and a Pod cache. With {@link OperatorSettings#leaderElection()} several replicas
 * may run: one leads (reconciles), the others keep warm caches and take over when its Lease expires.
 */
public final class CacheplaneOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheplaneOperator.class);

  /** How long {@link #close()} lets running reconciles finish. */
  static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(3);
  /** Upper bound between two reconciles of an unchanged policy (a no-op that writes nothing). */
  static final Duration MAX_RECONCILE_INTERVAL = Duration.ofMinutes(30);

  /** Field manager of the operator's writes. */
  public static final String FIELD_MANAGER = "cacheplane-operator";

  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final OperatorMetrics metrics;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean leading = new AtomicBoolean();
  private final CompletableFuture<Void> orphanCollectorSynced = new CompletableFuture<>();
  private final CompletableFuture<Void> lostLeadership = new CompletableFuture<>();
  private Operator operator;
  private PodCache pods;
  private OrphanCollector orphanCollector; // guarded by this; null until leading (or started without election)

  private CacheplaneOperator(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.settings = settings;
    this.metrics = new OperatorMetrics(settings.meterRegistry());
  }

  /**
   * Registers both reconcilers, starts the operator (blocks until its informers have synced) and starts the orphan
   * collector (in the background). With {@link OperatorSettings#leaderElection()}, the informers start at once (a warm
   * standby) but reconciles and the orphan collector only start once this replica holds the Lease; events seen
   * meanwhile are kept and handled then. Losing the Lease later stops this operator ({@link #leadershipLost()}).
   *
   * @param client the API client; not closed by {@link #close()}
   * @param settings namespaces, clock, meter registry, leader election
   * @return the running operator
   * @throws io.javaoperatorsdk.operator.OperatorException when the informers cannot start (API unreachable, CRDs
   *     missing, RBAC), or leader election is on and the client may not get, create and update Leases in the Lease
   *     namespace; nothing is left running then
   */
  public static CacheplaneOperator start(KubernetesClient client, OperatorSettings settings) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(settings, "settings");
    CacheplaneOperator started = new CacheplaneOperator(client, settings);
    started.run();
    return started;
  }

  private void run() {
    pods = PodCache.start(client, settings.namespaces());
    AgentDirectory.Pods podView = new AgentDirectory.Pods() {
      @Override public boolean exists(String namespace, String name, String uid) {
        return pods.exists(namespace, name, uid);
      }
      @Override public boolean ready() {
        return pods.ready();
      }
    };
    LeaseLiveness liveness = new LeaseLiveness(settings.clock());
    AgentDirectory agents = new AgentDirectory(liveness, podView);
    metrics.bindAgents(new AgentCensus(liveness, podView, settings.clock()));
    PolicyPipeline pipeline = new PolicyPipeline(settings.clock(), metrics, CanaryRollout.INSTANCE, agents,
        new RolloutEvents(client, settings.clock()), settings.defaultStrategy(), settings.maxTimerDelay());
    LeaderElection election = settings.leaderElection();
    operator = new Operator(o -> {
      o.withKubernetesClient(client)
          .withCloseClientOnStop(false)
          .withUseSSAToPatchPrimaryResource(false)
          .withSSABasedCreateUpdateMatchForDependentResources(false)
          .withStopOnInformerErrorDuringStartup(true)
          .checkingCRDAndValidateLocalModel(false)
          .withReconciliationTerminationTimeout(TERMINATION_TIMEOUT);
      if (election != null) {
        o.withLeaderElectionConfiguration(leaderElectionConfiguration(election));
      }
    });
    try {
      operator.register(new CachePolicyReconciler(pipeline), o -> configure(o, settings.namespaces()));
      operator.register(new RoutePolicyReconciler(pipeline), o -> configure(o, settings.namespaces()));
      operator.start();
      if (election == null) {
        leading.set(true);
        startOrphanCollector();
      }
    } catch (RuntimeException e) {
      closed.set(true);
      stopQuietly(operator);
      closeOrphanCollector();
      metrics.unbindAgents();
      pods.close();
      throw e;
    }
    LOG.info("cacheplane operator started, watching {}{}", settings.namespaces().isEmpty() ? "all namespaces"
        : "namespaces " + settings.namespaces(), election == null ? "" : ", standing for leader election as "
        + election.identity() + " (Lease " + election.leaseNamespace() + "/" + election.leaseName() + ")");
  }

  /**
   * JOSDK's leader election with our callbacks. JOSDK's default on losing the Lease is {@code System.exit(1)}; we turn
   * that off and stop this operator instead ({@link #stoppedLeading}), so the core never ends the JVM (tests and local
   * mode run several operators in one) and the shell decides how the process ends.
   */
  LeaderElectionConfiguration leaderElectionConfiguration(LeaderElection election) {
    LeaderCallbacks callbacks = new LeaderCallbacks(this::startedLeading, this::stoppedLeading,
        leader -> LOG.info("leader of Lease {}/{} is now {}", election.leaseNamespace(), election.leaseName(), leader));
    // the constructor, not the builder: the builder refuses to set exitOnStopLeading outside tests
    return new LeaderElectionConfiguration(election.leaseName(), election.leaseNamespace(), election.leaseDuration(),
        election.renewDeadline(), election.retryPeriod(), election.identity(), callbacks, false);
  }

  private void startedLeading() {
    LOG.info("{} leads: reconciling", settings.leaderElection().identity());
    leading.set(true);
    startOrphanCollector();
  }

  /**
   * Called when this replica stops leading: after {@link #close()} (it released the Lease: nothing to do), or because
   * it could not renew the Lease within the renew deadline (another replica may lead soon): then it stops
   * reconciling at once, on another thread (this one belongs to the executor the stop shuts down), and completes
   * {@link #leadershipLost()}.
   */
  private void stoppedLeading() {
    if (closed.get()) {
      return; // close() releases the Lease itself once the reconciles stopped
    }
    leading.set(false);
    LOG.error("{} lost the leader election Lease {}/{}: stopping reconciles", settings.leaderElection().identity(),
        settings.leaderElection().leaseNamespace(), settings.leaderElection().leaseName());
    Thread stopper = new Thread(() -> {
      close();
      lostLeadership.complete(null);
    }, "cacheplane-lost-leadership");
    stopper.setDaemon(true);
    stopper.start();
  }

  private synchronized void startOrphanCollector() {
    if (closed.get() || orphanCollector != null) {
      return;
    }
    orphanCollector = OrphanCollector.start(client, settings.namespaces(), metrics);
    orphanCollector.synced().whenComplete((ok, error) -> {
      if (error == null) {
        orphanCollectorSynced.complete(null);
      } else {
        orphanCollectorSynced.completeExceptionally(error);
      }
    });
  }

  private synchronized void closeOrphanCollector() {
    if (orphanCollector != null) {
      orphanCollector.close();
    }
  }

  private static <P extends HasMetadata> void configure(ControllerConfigurationOverrider<P> o, Set<String> namespaces) {
    if (namespaces.isEmpty()) {
      o.watchingAllNamespaces();
    } else {
      o.settingNamespaces(namespaces);
    }
    // Modest retries for unexpected errors only: expected ones end in status with an explicit reschedule.
    o.withRetry(new GenericRetry().setMaxAttempts(3).setInitialInterval(1_000).setIntervalMultiplier(2)
        .setMaxInterval(10_000));
    o.withReconciliationMaxInterval(MAX_RECONCILE_INTERVAL);
    o.withFieldManager(FIELD_MANAGER);
    // Reconcile on a new generation, on a changed control annotation (promote, abort...) and on deletion; not on our
    // own status patches (JOSDK's generation-aware filter alone would drop the annotation changes).
    o.withGenerationAware(false);
    o.withOnUpdateFilter((newP, oldP) -> !Objects.equals(newP.getMetadata().getGeneration(),
        oldP.getMetadata().getGeneration())
        || !Controls.fromAnnotations(newP.getMetadata().getAnnotations())
            .equals(Controls.fromAnnotations(oldP.getMetadata().getAnnotations()))
        || newP.isMarkedForDeletion());
  }

  /** Whether the operator runs and every JOSDK event source (informer) is healthy (a standby replica is healthy). */
  public boolean isHealthy() {
    return !closed.get() && operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** Whether {@link #start} completed and {@link #close()} was not called (nor leadership lost). */
  public boolean isRunning() {
    return !closed.get();
  }

  /** Whether this operator reconciles now: running, and holding the Lease when leader election is on. */
  public boolean isLeader() {
    return !closed.get() && leading.get();
  }

  /**
   * Completes once this replica lost the leader election Lease (it could not renew it within the renew deadline) and
   * stopped; never completes without leader election or after a plain {@link #close()}. The Quarkus shell exits the
   * process with status 1 then, so Kubernetes restarts the container and it stands for election again.
   */
  public CompletableFuture<Void> leadershipLost() {
    return lostLeadership.copy();
  }

  /**
   * Completes when the orphan collector's caches have synced and its start-up sweep ran (with leader election: once
   * this replica leads).
   */
  public CompletableFuture<Void> orphanCollectorSynced() {
    return orphanCollectorSynced.copy();
  }

  /**
   * Stops the operator first (no reconcile runs afterwards; running ones get {@link #TERMINATION_TIMEOUT}), then
   * releases the leader election Lease (JOSDK stops it after the reconcile executor), then stops the orphan collector.
   * Idempotent; returns within seconds; the client stays open.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopQuietly(operator);
    if (leading.getAndSet(false)) {
      releaseLease(settings.leaderElection());
    }
    closeOrphanCollector();
    metrics.unbindAgents();
    pods.close();
    LOG.info("cacheplane operator stopped");
  }

  /**
   * Hands the Lease over after a clean stop, as client-go's {@code ReleaseOnCancel} does (empty holder, duration 1 s):
   * JOSDK 5.3 stops its elector only after its executor, so its own release never runs and a standby would wait the
   * full lease duration. Only while this replica still holds it (optimistic locking on the read version); any failure
   * just leaves the Lease to expire.
   */
  private void releaseLease(LeaderElection election) {
    if (election == null) {
      return;
    }
    try {
      Lease lease = client.leases().inNamespace(election.leaseNamespace()).withName(election.leaseName()).get();
      if (lease == null || lease.getSpec() == null || !election.identity().equals(lease.getSpec().getHolderIdentity())) {
        return;
      }
      ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
      lease.getSpec().setHolderIdentity("");
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(now);
      lease.getSpec().setAcquireTime(now);
      client.leases().inNamespace(election.leaseNamespace()).resource(lease).update();
      LOG.info("{} released the leader election Lease {}/{}", election.identity(), election.leaseNamespace(),
          election.leaseName());
    } catch (KubernetesClientException e) {
      LOG.warn("releasing the leader election Lease {}/{}: {} (it expires after {})", election.leaseNamespace(),
          election.leaseName(), e.toString(), election.leaseDuration());
    }
  }

  private static void stopQuietly(Operator operator) {
    try {
      operator.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping the operator: {}", e.toString());
    }
  }
}

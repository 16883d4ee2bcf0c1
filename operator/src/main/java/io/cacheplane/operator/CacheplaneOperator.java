package io.cacheplane.operator;

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
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.time.Duration;
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
 * (liveness by the settings' clock) and a Pod cache. Leader election is not configured yet: run one replica.
 */
public final class CacheplaneOperator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CacheplaneOperator.class);

  /** How long {@link #close()} lets running reconciles finish. */
  static final Duration TERMINATION_TIMEOUT = Duration.ofSeconds(3);
  /** Upper bound between two reconciles of an unchanged policy (a no-op that writes nothing). */
  static final Duration MAX_RECONCILE_INTERVAL = Duration.ofMinutes(30);

  /** Field manager of the operator's writes. */
  public static final String FIELD_MANAGER = "cacheplane-operator";

  private final Operator operator;
  private final OrphanCollector orphanCollector;
  private final PodCache pods;
  private final AtomicBoolean closed = new AtomicBoolean();

  private CacheplaneOperator(Operator operator, OrphanCollector orphanCollector, PodCache pods) {
    this.operator = operator;
    this.orphanCollector = orphanCollector;
    this.pods = pods;
  }

  /**
   * Registers both reconcilers, starts the operator (blocks until its informers have synced) and starts the orphan
   * collector (in the background).
   *
   * @param client the API client; not closed by {@link #close()}
   * @param settings namespaces, clock, meter registry
   * @return the running operator
   * @throws io.javaoperatorsdk.operator.OperatorException when the informers cannot start (API unreachable, CRDs
   *     missing, RBAC); nothing is left running then
   */
  public static CacheplaneOperator start(KubernetesClient client, OperatorSettings settings) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(settings, "settings");
    OperatorMetrics metrics = new OperatorMetrics(settings.meterRegistry());
    PodCache pods = PodCache.start(client, settings.namespaces());
    AgentDirectory agents = new AgentDirectory(new LeaseLiveness(settings.clock()), new AgentDirectory.Pods() {
      @Override public boolean exists(String namespace, String name, String uid) {
        return pods.exists(namespace, name, uid);
      }
      @Override public boolean ready() {
        return pods.ready();
      }
    });
    PolicyPipeline pipeline = new PolicyPipeline(settings.clock(), metrics, CanaryRollout.INSTANCE, agents,
        new RolloutEvents(client, settings.clock()), settings.defaultStrategy(), settings.maxTimerDelay());
    Operator operator = new Operator(o -> o
        .withKubernetesClient(client)
        .withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false)
        .withSSABasedCreateUpdateMatchForDependentResources(false)
        .withStopOnInformerErrorDuringStartup(true)
        .checkingCRDAndValidateLocalModel(false)
        .withReconciliationTerminationTimeout(TERMINATION_TIMEOUT));
    try {
      operator.register(new CachePolicyReconciler(pipeline), o -> configure(o, settings.namespaces()));
      operator.register(new RoutePolicyReconciler(pipeline), o -> configure(o, settings.namespaces()));
      operator.start();
    } catch (RuntimeException e) {
      stopQuietly(operator);
      pods.close();
      throw e;
    }
    OrphanCollector gc;
    try {
      gc = OrphanCollector.start(client, settings.namespaces(), metrics);
    } catch (RuntimeException e) {
      stopQuietly(operator);
      pods.close();
      throw e;
    }
    LOG.info("cacheplane operator started, watching {}", settings.namespaces().isEmpty() ? "all namespaces"
        : "namespaces " + settings.namespaces());
    return new CacheplaneOperator(operator, gc, pods);
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

  /** Whether the operator runs and every JOSDK event source (informer) is healthy. */
  public boolean isHealthy() {
    return !closed.get() && operator.getRuntimeInfo().isStarted() && operator.getRuntimeInfo().allEventSourcesAreHealthy();
  }

  /** Whether {@link #start} completed and {@link #close()} was not called. */
  public boolean isRunning() {
    return !closed.get();
  }

  /** Completes when the orphan collector's caches have synced and its start-up sweep ran. */
  public CompletableFuture<Void> orphanCollectorSynced() {
    return orphanCollector.synced();
  }

  /**
   * Stops the operator first (no reconcile runs afterwards; running ones get {@link #TERMINATION_TIMEOUT}), then the
   * orphan collector. Idempotent; returns within seconds; the client stays open.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    stopQuietly(operator);
    orphanCollector.close();
    pods.close();
    LOG.info("cacheplane operator stopped");
  }

  private static void stopQuietly(Operator operator) {
    try {
      operator.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping the operator: {}", e.toString());
    }
  }
}

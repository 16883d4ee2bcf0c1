package io.cacheplane.operator.gc;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.operator.metrics.OperatorMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes policy ConfigMaps whose policy no longer exists. A real cluster's garbage collector does this through the
 * owner reference; the mock server and local mode have none, so the operator does it too (no finalizers).
 * <p>Watches (fabric8 informers) the ConfigMaps labelled {@code app.kubernetes.io/managed-by=cacheplane-operator}
 * and both policy kinds. A ConfigMap is an orphan when no policy of its {@code cacheplane.io/kind} has the uid in
 * its {@code cacheplane.io/policy-uid}. Checked on a policy's delete event, for every ConfigMap once all caches have
 * synced (start-up sweep), and on ConfigMap add/update/resync events (every {@link #RESYNC}). Before deleting a
 * ConfigMap whose owner reference names a policy, the policy is read from the API (a policy created a moment ago
 * may not be in the cache yet). Deletes carry the cached resourceVersion as a precondition, so a ConfigMap that was
 * rewritten meanwhile (e.g. for a re-created policy of the same name) is left alone.
 * <p>All work runs on one background thread; {@link #close()} stops it and the informers.
 */
public final class OrphanCollector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OrphanCollector.class);

  /** Name of the informer index from policy uid to objects. */
  static final String UID_INDEX = "uid";
  /** How often the ConfigMap informer replays its cache (each replay re-checks every ConfigMap). */
  static final Duration RESYNC = Duration.ofMinutes(10);

  private final KubernetesClient client;
  private final OperatorMetrics metrics;
  private final List<SharedIndexInformer<ConfigMap>> configMaps = new ArrayList<>();
  private final Map<String, List<SharedIndexInformer<? extends HasMetadata>>> policies = Map.of(
      CacheplaneApi.KIND_CACHE_POLICY, new ArrayList<>(), CacheplaneApi.KIND_ROUTE_POLICY, new ArrayList<>());
  private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "cacheplane-orphan-collector");
    t.setDaemon(true);
    return t;
  });
  private final CompletableFuture<Void> synced = new CompletableFuture<>();

  private OrphanCollector(KubernetesClient client, OperatorMetrics metrics) {
    this.client = client;
    this.metrics = metrics;
  }

  /**
   * Starts the informers (without blocking on them) and sweeps once they have synced.
   *
   * @param client the API client (not closed by {@link #close()})
   * @param namespaces the namespaces to watch; empty watches all namespaces
   * @param metrics where deletions are counted
   * @return the running collector
   */
  public static OrphanCollector start(KubernetesClient client, Set<String> namespaces, OperatorMetrics metrics) {
    OrphanCollector gc = new OrphanCollector(Objects.requireNonNull(client, "client"),
        Objects.requireNonNull(metrics, "metrics"));
    gc.startInformers(namespaces);
    return gc;
  }

  /** Completes when every informer has synced and the first sweep ran. */
  public CompletableFuture<Void> synced() {
    return synced;
  }

  private void startInformers(Set<String> namespaces) {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    for (String ns : namespaces.isEmpty() ? java.util.Collections.<String>singletonList(null) : List.copyOf(namespaces)) {
      SharedIndexInformer<ConfigMap> cm = ns == null
          ? client.configMaps().inAnyNamespace().withLabel(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY)
              .runnableInformer(RESYNC.toMillis())
          : client.configMaps().inNamespace(ns).withLabel(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY)
              .runnableInformer(RESYNC.toMillis());
      cm.addIndexers(Map.of(UID_INDEX, c -> labelList(c, CacheplaneApi.LABEL_POLICY_UID)));
      cm.addEventHandler(handler(this::check, c -> { }));
      configMaps.add(cm);
      policies.get(CacheplaneApi.KIND_CACHE_POLICY).add(policyInformer(CachePolicy.class, ns));
      policies.get(CacheplaneApi.KIND_ROUTE_POLICY).add(policyInformer(RoutePolicy.class, ns));
    }
    configMaps.forEach(i -> starts.add(i.start().toCompletableFuture()));
    policies.values().forEach(list -> list.forEach(i -> starts.add(i.start().toCompletableFuture())));
    CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
        .thenRunAsync(this::sweep, worker)
        .whenComplete((ok, error) -> {
          if (error != null) {
            LOG.warn("orphan collector did not start: {}", error.toString());
            synced.completeExceptionally(error);
          } else {
            synced.complete(null);
          }
        });
  }

  private <P extends HasMetadata> SharedIndexInformer<P> policyInformer(Class<P> type, String ns) {
    SharedIndexInformer<P> informer = ns == null ? client.resources(type).inAnyNamespace().runnableInformer(0)
        : client.resources(type).inNamespace(ns).runnableInformer(0);
    informer.addIndexers(Map.of(UID_INDEX, p -> List.of(p.getMetadata().getUid())));
    informer.addEventHandler(handler(p -> { }, this::policyDeleted));
    return informer;
  }

  private <T> ResourceEventHandler<T> handler(java.util.function.Consumer<T> onChange,
      java.util.function.Consumer<T> onDelete) {
    return new ResourceEventHandler<>() {
      @Override public void onAdd(T obj) { submit(() -> onChange.accept(obj)); }
      @Override public void onUpdate(T oldObj, T newObj) { submit(() -> onChange.accept(newObj)); }
      @Override public void onDelete(T obj, boolean finalStateUnknown) { submit(() -> onDelete.accept(obj)); }
    };
  }

  private void submit(Runnable task) {
    if (!worker.isShutdown()) {
      try {
        worker.execute(() -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.warn("orphan collector task failed: {}", e.toString());
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException ignored) {
        // closing
      }
    }
  }

  /** Checks every cached managed ConfigMap (runs on the worker thread). */
  void sweep() {
    configMaps.forEach(i -> i.getStore().list().forEach(this::check));
  }

  private void policyDeleted(HasMetadata policy) {
    String uid = policy.getMetadata().getUid();
    for (SharedIndexInformer<ConfigMap> i : configMaps) {
      i.getIndexer().byIndex(UID_INDEX, uid).forEach(this::delete);
    }
  }

  private void check(ConfigMap cm) {
    if (!allSynced()) {
      return; // the start-up sweep will look at it
    }
    String kind = label(cm, CacheplaneApi.LABEL_KIND);
    String uid = label(cm, CacheplaneApi.LABEL_POLICY_UID);
    List<SharedIndexInformer<? extends HasMetadata>> owners = kind == null ? null : policies.get(kind);
    if (owners == null || uid == null) {
      return; // not a policy ConfigMap we can judge
    }
    if (owners.stream().anyMatch(i -> !i.getIndexer().byIndex(UID_INDEX, uid).isEmpty())) {
      return;
    }
    OwnerReference owner = ownerOf(cm, kind);
    if (owner != null && uid.equals(owner.getUid())) {
      HasMetadata live = livePolicy(kind, cm.getMetadata().getNamespace(), owner.getName());
      if (live != null && uid.equals(live.getMetadata().getUid())) {
        return;
      }
    }
    delete(cm);
  }

  private HasMetadata livePolicy(String kind, String namespace, String name) {
    Class<? extends HasMetadata> type = CacheplaneApi.KIND_CACHE_POLICY.equals(kind) ? CachePolicy.class : RoutePolicy.class;
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  private void delete(ConfigMap cm) {
    try {
      Resource<ConfigMap> r = client.configMaps().inNamespace(cm.getMetadata().getNamespace()).resource(cm);
      var deleted = cm.getMetadata().getResourceVersion() == null ? r.delete()
          : r.lockResourceVersion(cm.getMetadata().getResourceVersion()).delete();
      if (!deleted.isEmpty()) {
        String kind = label(cm, CacheplaneApi.LABEL_KIND);
        metrics.orphanDeleted(kind == null ? "unknown" : kind);
        LOG.info("deleted ConfigMap {}/{}: its {} (uid {}) no longer exists", cm.getMetadata().getNamespace(),
            cm.getMetadata().getName(), kind, label(cm, CacheplaneApi.LABEL_POLICY_UID));
      }
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404 && e.getCode() != 409) {
        LOG.warn("could not delete orphaned ConfigMap {}/{}: {}", cm.getMetadata().getNamespace(),
            cm.getMetadata().getName(), e.getMessage());
      }
    }
  }

  private boolean allSynced() {
    return configMaps.stream().allMatch(SharedIndexInformer::hasSynced)
        && policies.values().stream().allMatch(l -> l.stream().allMatch(SharedIndexInformer::hasSynced));
  }

  private static OwnerReference ownerOf(ConfigMap cm, String kind) {
    List<OwnerReference> refs = cm.getMetadata().getOwnerReferences();
    return refs == null ? null : refs.stream()
        .filter(r -> kind.equals(r.getKind()) && CacheplaneApi.API_VERSION.equals(r.getApiVersion()))
        .findFirst().orElse(null);
  }

  private static String label(HasMetadata o, String key) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels == null ? null : labels.get(key);
  }

  private static List<String> labelList(HasMetadata o, String key) {
    String v = label(o, key);
    return v == null ? List.of() : List.of(v);
  }

  /** Stops the worker and the informers; returns within about two seconds. */
  @Override
  public void close() {
    worker.shutdownNow();
    configMaps.forEach(SharedIndexInformer::stop);
    policies.values().forEach(l -> l.forEach(SharedIndexInformer::stop));
    try {
      worker.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synced.cancel(false);
  }
}

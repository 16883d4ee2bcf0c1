package io.cacheplane.agent.watch;

import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * A fabric8 informer on the ConfigMaps of one namespace labelled
 * {@code app.kubernetes.io/managed-by=cacheplane-operator}, feeding a {@link ConfigMapListener}.
 *
 * <p>Starting never blocks: the informer is created with {@code runnableInformer} and started asynchronously, and
 * its exception handler retries every failure (with fabric8's back-off), before and after the first sync. So an
 * agent whose API server is unreachable starts, serves what it has, and picks up policies once the API answers.
 * A resync replays the informer's cache every {@link #RESYNC}; the listener ignores unchanged content.
 *
 * <p>Reconnection: after a failed list or watch the informer retries with exponential back-off, starting at the
 * client's {@code watchReconnectInterval} (fabric8 default 1 s) and doubling up to 32 times that (2^5, fabric8's
 * {@code ExponentialBackoffIntervalCalculator}), without a limit on attempts (the exception handler below retries
 * everything). A watch that reconnects resumes from its last resource version, so the API server replays what changed
 * meanwhile, deletes included; when that version is too old (410 Gone) or the list itself failed, the informer lists
 * again and turns every ConfigMap missing from the new list into a delete.
 *
 * <p>Initial state (last-known-good): ConfigMaps passed to {@link #start(KubernetesClient, String,
 * ConfigMapListener, Collection)} seed the informer's cache without events (the caller has already applied them).
 * The first list from the API server then delivers each as an update (the listener ignores equal content) and
 * those the API no longer has as deletes — after that list, never before any contact with the API server.
 */
public final class ConfigMapWatcher implements AutoCloseable {

  /** Period of the informer's resync (a replay of its local cache, no API call). */
  public static final Duration RESYNC = Duration.ofMinutes(10);

  private static final Logger LOG = Logger.getLogger(ConfigMapWatcher.class);

  private final SharedIndexInformer<ConfigMap> informer;

  private ConfigMapWatcher(SharedIndexInformer<ConfigMap> informer) {
    this.informer = informer;
  }

  /**
   * Creates and starts the informer; returns at once.
   *
   * @param client the Kubernetes client (not closed by this watcher)
   * @param namespace the namespace to watch
   * @param listener receives every add, update, resync and delete
   */
  public static ConfigMapWatcher start(KubernetesClient client, String namespace, ConfigMapListener listener) {
    return start(client, namespace, listener, List.of());
  }

  /**
   * Creates and starts the informer, its cache seeded with {@code initialState}; returns at once.
   *
   * @param client the Kubernetes client (not closed by this watcher)
   * @param namespace the namespace to watch
   * @param listener receives every add, update, resync and delete (not the initial state itself)
   * @param initialState ConfigMaps already known (from last-known-good), in {@code namespace}, with distinct names
   */
  public static ConfigMapWatcher start(KubernetesClient client, String namespace, ConfigMapListener listener,
      Collection<ConfigMap> initialState) {
    Objects.requireNonNull(listener, "listener");
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
        .withLabel(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY)
        .runnableInformer(RESYNC.toMillis());
    if (!initialState.isEmpty()) {
      informer.initialState(List.copyOf(initialState).stream());
    }
    informer.exceptionHandler((started, t) -> {
      // fabric8 itself logs each failure at WARN; retry whatever it is, before and after the first sync
      LOG.debugf("ConfigMap watch in namespace %s failed (%s); retrying", namespace, t.getMessage());
      return true;
    });
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(ConfigMap cm) {
        safely(() -> listener.upsert(cm), cm);
      }

      @Override
      public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        safely(() -> listener.upsert(newCm), newCm);
      }

      @Override
      public void onDelete(ConfigMap cm, boolean deletedFinalStateUnknown) {
        safely(() -> listener.delete(cm), cm);
      }
    });
    informer.start().whenComplete((v, t) -> {
      if (t == null) {
        LOG.infof("watching policy ConfigMaps in namespace %s", namespace);
      }
    });
    return new ConfigMapWatcher(informer);
  }

  /** Whether the informer has completed its first list. */
  public boolean hasSynced() {
    return informer.hasSynced();
  }

  /**
   * Names of the ConfigMaps in the informer's cache: the initial state until the first list, then what the API
   * server has. Their events may not have reached the listener yet.
   */
  public List<String> configMapNames() {
    return informer.getStore().list().stream().map(cm -> cm.getMetadata().getName()).toList();
  }

  /** Whether the informer's watch is open. */
  public boolean isWatching() {
    return informer.isWatching();
  }

  @Override
  public void close() {
    informer.close();
  }

  private static void safely(Runnable r, ConfigMap cm) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // The listener rejects bad input itself; this guards the informer against bugs.
      LOG.errorf(e, "handling ConfigMap %s failed", cm.getMetadata().getName());
    }
  }
}

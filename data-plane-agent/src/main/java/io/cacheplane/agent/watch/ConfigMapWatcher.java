package io.cacheplane.agent.watch;

import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
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
    Objects.requireNonNull(listener, "listener");
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
        .withLabel(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY)
        .runnableInformer(RESYNC.toMillis());
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

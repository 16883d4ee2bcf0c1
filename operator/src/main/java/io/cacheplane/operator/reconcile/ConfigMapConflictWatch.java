package io.cacheplane.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.AbstractEventSource;
import io.javaoperatorsdk.operator.processing.event.source.ResourceEventAware;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a policy in {@code ConfigMapConflict} as soon as the ConfigMap that blocks it changes or is deleted.
 * <p>That ConfigMap is usually not labelled as ours, so the controller's ConfigMap informer (which selects our
 * labels) never sees it, and caching every ConfigMap of the watched namespaces for a rare case would be costly.
 * Instead this source runs one small informer per policy in conflict, on that single ConfigMap (field selector on
 * its name), started when a reconcile reports the conflict ({@link #watch}) and stopped when a reconcile no longer
 * does ({@link #unwatch}), when the policy is deleted, or when the controller stops. Any change of the ConfigMap
 * after the one the reconcile saw (update, deletion, re-creation) triggers a reconcile of the policy.
 *
 * @param <P> the policy type
 */
public final class ConfigMapConflictWatch<P extends HasMetadata> extends AbstractEventSource<Void, P>
    implements ResourceEventAware<P> {

  /** Name of this event source in each policy controller. */
  public static final String NAME = "configmap-conflicts";

  private static final Logger LOG = LoggerFactory.getLogger(ConfigMapConflictWatch.class);

  private final KubernetesClient client;
  private final Map<ResourceID, Watched> watches = new ConcurrentHashMap<>();

  private record Watched(String configMapName, SharedIndexInformer<ConfigMap> informer) {}

  /** @param client the client the informers use (the controller's) */
  public ConfigMapConflictWatch(KubernetesClient client) {
    super(Void.class, NAME);
    this.client = Objects.requireNonNull(client, "client");
  }

  /**
   * Watches ConfigMap {@code configMapName} in the policy's namespace for the policy; a no-op when it is watched
   * already. Does not block: the informer starts in the background.
   *
   * @param policy the policy in conflict
   * @param configMapName the ConfigMap that blocks it
   * @param seenResourceVersion the resourceVersion the reconcile saw (an event for that version is not a change)
   */
  public void watch(ResourceID policy, String configMapName, String seenResourceVersion) {
    if (!isRunning()) {
      return;
    }
    Watched current = watches.get(policy);
    if (current != null && current.configMapName().equals(configMapName)) {
      return;
    }
    unwatch(policy);
    String namespace = policy.getNamespace().orElseThrow();
    SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace).withName(configMapName)
        .runnableInformer(0);
    informer.addEventHandler(new ResourceEventHandler<>() {
      @Override public void onAdd(ConfigMap cm) {
        if (!Objects.equals(seenResourceVersion, cm.getMetadata().getResourceVersion())) {
          changed(policy);
        }
      }
      @Override public void onUpdate(ConfigMap oldCm, ConfigMap newCm) {
        if (!Objects.equals(oldCm.getMetadata().getResourceVersion(), newCm.getMetadata().getResourceVersion())) {
          changed(policy);
        }
      }
      @Override public void onDelete(ConfigMap cm, boolean finalStateUnknown) { changed(policy); }
    });
    if (watches.putIfAbsent(policy, new Watched(configMapName, informer)) != null) {
      return; // a concurrent watch() won; this informer never started
    }
    LOG.info("policy {}/{} waits for ConfigMap {} (not ours) to change or go away", namespace, policy.getName(),
        configMapName);
    informer.start().whenComplete((ok, error) -> {
      if (error != null) {
        LOG.warn("cannot watch ConfigMap {}/{} for {}: {}", namespace, configMapName, policy, error.toString());
        watches.remove(policy, new Watched(configMapName, informer));
        informer.stop();
      } else if (informer.getStore().list().isEmpty()) {
        changed(policy); // deleted between the reconcile's read and the informer's list
      }
    });
  }

  /** Stops watching for {@code policy}; a no-op when nothing is watched (the usual case, cheap). */
  public void unwatch(ResourceID policy) {
    Watched w = watches.remove(policy);
    if (w != null) {
      w.informer().stop();
    }
  }

  /** The policies watched now (for tests and diagnostics). */
  public Set<ResourceID> watched() {
    return Set.copyOf(watches.keySet());
  }

  private void changed(ResourceID policy) {
    if (isRunning() && watches.containsKey(policy)) {
      getEventHandler().handleEvent(new Event(policy));
    }
  }

  @Override
  public void onResourceDeleted(P resource) {
    unwatch(ResourceID.fromResource(resource));
  }

  @Override
  public Set<Void> getSecondaryResources(P primary) {
    return Set.of();
  }

  @Override
  public void stop() {
    super.stop();
    watches.keySet().forEach(this::unwatch);
  }
}

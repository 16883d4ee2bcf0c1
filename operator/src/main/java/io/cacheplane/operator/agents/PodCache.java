package io.cacheplane.operator.agents;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which Pods exist in the watched namespaces (one informer per namespace, or one for all), so the operator ignores a
 * Lease whose Pod does not exist (RBAC cannot stop anyone with Lease write access from writing one; DESIGN.md,
 * "RBAC, honestly"). Only a cache: Pod events trigger no reconcile (a Lease change does).
 */
public final class PodCache implements AutoCloseable {

  private final List<SharedIndexInformer<Pod>> informers;
  private volatile boolean closed;

  private PodCache(List<SharedIndexInformer<Pod>> informers) {
    this.informers = informers;
  }

  /**
   * Starts the informers and waits until they have listed.
   *
   * @param namespaces watched namespaces; empty = all
   */
  public static PodCache start(KubernetesClient client, Set<String> namespaces) {
    List<SharedIndexInformer<Pod>> informers = new ArrayList<>();
    try {
      if (namespaces.isEmpty()) {
        informers.add(client.pods().inAnyNamespace().inform());
      } else {
        for (String ns : namespaces) {
          informers.add(client.pods().inNamespace(ns).inform());
        }
      }
    } catch (RuntimeException e) {
      informers.forEach(SharedIndexInformer::stop);
      throw e;
    }
    return new PodCache(informers);
  }

  /** Whether a Pod named {@code name} exists in {@code namespace} (with {@code uid}, when given). */
  public boolean exists(String namespace, String name, String uid) {
    String key = Cache.namespaceKeyFunc(namespace, name);
    for (SharedIndexInformer<Pod> informer : informers) {
      Pod pod = informer.getStore().getByKey(key);
      if (pod != null) {
        return uid == null || Objects.equals(uid, pod.getMetadata().getUid());
      }
    }
    return false;
  }

  /** Whether the cache can be trusted: not closed and every informer running and synced. */
  public boolean ready() {
    return !closed && informers.stream().allMatch(i -> i.isRunning() && i.hasSynced());
  }

  @Override
  public void close() {
    closed = true;
    informers.forEach(SharedIndexInformer::stop);
  }
}

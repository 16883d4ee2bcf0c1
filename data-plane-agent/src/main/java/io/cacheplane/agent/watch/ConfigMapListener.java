package io.cacheplane.agent.watch;

import io.fabric8.kubernetes.api.model.ConfigMap;

/** Receives the policy ConfigMaps the watcher sees. Calls are serialised (one at a time). */
public interface ConfigMapListener {

  /** A ConfigMap was added or changed, or replayed by a resync (unchanged content must be a no-op). */
  void upsert(ConfigMap configMap);

  /** A ConfigMap was deleted (possibly only its last known state, when the delete event itself was missed). */
  void delete(ConfigMap configMap);
}

package io.cacheplane.agent.state;

import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.state.EnvelopeStore.Loaded;
import io.cacheplane.agent.state.EnvelopeStore.Skipped;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.EnvelopeException;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * An agent's last-known-good envelopes: keeps the {@link EnvelopeStore} in step with what the
 * {@link io.cacheplane.agent.config.PolicyApplier} has in force, and turns the stored entries back into policy
 * ConfigMaps at start.
 *
 * <p>At start the agent {@link #load() loads} the entries, applies them through the applier (the same validation and
 * sequence rule as envelopes from the API) and seeds the ConfigMap informer with them, so the informer's first list
 * from the API server replaces each with the API's copy (ignored when the sequence is lower, a no-op when the content
 * is the same) and deletes those the API no longer has — only after that list, never before any contact.
 *
 * <p>Persisting never fails an apply: an I/O error (read-only or full disk, permission denied) is logged at WARN and
 * counted in {@value AgentMetrics#STATE_WRITE_FAILURES}; the agent keeps serving from memory. An entry whose
 * content is already on disk is not rewritten.
 */
public final class LastKnownGood implements AppliedEnvelopeListener {

  private static final Logger LOG = Logger.getLogger(LastKnownGood.class);

  private final EnvelopeStore store;
  private final AgentMetrics metrics;
  private final String namespace;
  /** File name → checksum of what this agent knows to be on disk. */
  private final Map<String, String> onDisk = new ConcurrentHashMap<>();

  /**
   * @param store the state directory
   * @param metrics where write failures and skipped files are counted
   * @param namespace the agent's namespace, set on the ConfigMaps rebuilt by {@link #load()}
   */
  public LastKnownGood(EnvelopeStore store, AgentMetrics metrics, String namespace) {
    this.store = Objects.requireNonNull(store, "store");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.namespace = Objects.requireNonNull(namespace, "namespace");
  }

  /**
   * Reads every usable entry and rebuilds its ConfigMap (name, namespace, the operator's labels, the envelope text).
   * Each skipped file is logged at WARN with the reason and counted in {@value AgentMetrics#STATE_FILES_SKIPPED};
   * a directory that cannot be listed is logged and counted the same way and yields nothing. Never throws.
   *
   * @return the ConfigMaps, sorted by file name
   */
  public List<ConfigMap> load() {
    Loaded loaded;
    try {
      loaded = store.load();
    } catch (IOException | RuntimeException e) {
      LOG.warnf("cannot read the last-known-good directory %s: %s; starting without it", store.dir(), e);
      metrics.stateFileSkipped();
      return List.of();
    }
    for (Skipped s : loaded.skipped()) {
      LOG.warnf("skipping last-known-good file %s: %s (left in place)", s.file(), s.reason());
      metrics.stateFileSkipped();
    }
    List<ConfigMap> out = new ArrayList<>();
    for (StoredEnvelope e : loaded.envelopes()) {
      String name;
      try {
        name = EnvelopeCodec.decode(e.envelope()).name();
      } catch (EnvelopeException ex) {
        continue; // cannot happen: the store decoded it already
      }
      onDisk.put(EnvelopeStore.fileName(e.kind(), e.uid()), EnvelopeStore.checksum(e.configMapName(), e.envelope()));
      out.add(new ConfigMapBuilder()
          .withNewMetadata()
          .withName(e.configMapName())
          .withNamespace(namespace)
          .withLabels(ConfigMapNames.labels(e.kind(), name, e.uid()))
          .endMetadata()
          .withData(Map.of(Envelope.DATA_KEY, e.envelope()))
          .build());
    }
    if (!out.isEmpty() || !loaded.skipped().isEmpty()) {
      LOG.infof("last-known-good: %d envelopes loaded from %s, %d files skipped", out.size(), store.dir(),
          loaded.skipped().size());
    }
    return List.copyOf(out);
  }

  @Override
  public void applied(String configMapName, Envelope envelope, String envelopeYaml) {
    try {
      StoredEnvelope e = new StoredEnvelope(configMapName, envelope.kind(), envelope.uid(), envelopeYaml);
      String file = EnvelopeStore.fileName(e.kind(), e.uid());
      String sum = EnvelopeStore.checksum(configMapName, envelopeYaml);
      if (sum.equals(onDisk.get(file))) {
        return;
      }
      onDisk.remove(file);
      store.write(e);
      onDisk.put(file, sum);
    } catch (IOException | RuntimeException ex) {
      LOG.warnf("cannot persist %s %s (sequence %d) as last-known-good in %s: %s; it keeps serving from memory",
          envelope.kind(), envelope.name(), envelope.sequence(), store.dir(), ex);
      metrics.stateWriteFailed("write");
    }
  }

  @Override
  public void withdrawn(String kind, String uid) {
    if (!CacheplaneApi.KIND_CACHE_POLICY.equals(kind) && !CacheplaneApi.KIND_ROUTE_POLICY.equals(kind)
        || uid == null || uid.isBlank()) {
      return; // never stored (a ConfigMap that could not be read far enough to name its policy)
    }
    try {
      String file = EnvelopeStore.fileName(kind, uid);
      store.delete(kind, uid);
      onDisk.remove(file);
    } catch (IOException | RuntimeException ex) {
      LOG.warnf("cannot delete the last-known-good entry of %s uid %s in %s: %s", kind, uid, store.dir(), ex);
      metrics.stateWriteFailed("delete");
    }
  }
}

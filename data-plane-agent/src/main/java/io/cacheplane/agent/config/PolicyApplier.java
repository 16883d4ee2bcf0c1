package io.cacheplane.agent.config;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.PolicyState.Track;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.cache.Sealer;
import io.cacheplane.agent.config.EnvelopeSelection.Applied;
import io.cacheplane.agent.config.EnvelopeSelection.Apply;
import io.cacheplane.agent.config.EnvelopeSelection.Decision;
import io.cacheplane.agent.config.EnvelopeSelection.NotSelected;
import io.cacheplane.agent.config.EnvelopeSelection.Reject;
import io.cacheplane.agent.config.EnvelopeSelection.Stale;
import io.cacheplane.agent.config.EnvelopeSelection.Unchanged;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.CompiledRoute;
import io.cacheplane.agent.proxy.RouteCompiler;
import io.cacheplane.agent.proxy.RouteTable;
import io.cacheplane.agent.state.AppliedEnvelopeListener;
import io.cacheplane.agent.watch.ConfigMapListener;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Puts policy envelopes in force: the orchestration around {@link EnvelopeSelection}. Per ConfigMap it decides
 * (pure), then prepares everything that can fail (cache settings, compiled routes, resolved backends) and only then
 * commits (cache created or retuned, route table rebuilt and swapped). A failure at any step rejects the envelope
 * whole; the previous revision keeps serving and the other policies are untouched.
 *
 * <p>Calls are serialised ({@code synchronized}); readers ({@link #states()}, the proxy) never block. After every
 * call the new states go to the optional change listener (still under the lock, so it sees them in order; it must be
 * quick and must not call back into the applier).
 */
public final class PolicyApplier implements ConfigMapListener {

  private static final Logger LOG = Logger.getLogger(PolicyApplier.class);
  private static final Comparator<PolicyState> ORDER =
      Comparator.comparing(PolicyState::kind).thenComparing(PolicyState::name);

  private final String agentId;
  private final Map<String, String> podLabels;
  private final BackendResolver resolver;
  private final CacheRegistry caches;
  private final AgentMetrics metrics;
  private final AtomicReference<RouteTable> routeTable;
  private final Consumer<List<PolicyState>> onChange;
  private final AppliedEnvelopeListener persisted;

  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, List<CompiledRoute>> routesByPolicy = new TreeMap<>();
  private volatile List<PolicyState> states = List.of();
  /** Names of the ConfigMaps processed at least once (snapshot of {@code entries}' keys). */
  private volatile Set<String> known = Set.of();

  /** What this agent knows about one policy ConfigMap. */
  private static final class Entry {
    String configMapName;
    String kind;
    String name;
    String uid;
    boolean seen;
    String lastData;
    Applied applied;
    Track track;
    /** Whether the last readable envelope carries a canary section. */
    boolean analysis;
    /** {@code null} while the policy is not for this agent. */
    PolicyState state;
  }

  /**
   * An applier without a change listener.
   *
   * @param routeTable where the merged route table is published (swapped atomically)
   */
  public PolicyApplier(String agentId, Map<String, String> podLabels, BackendResolver resolver, CacheRegistry caches,
      AgentMetrics metrics, AtomicReference<RouteTable> routeTable) {
    this(agentId, podLabels, resolver, caches, metrics, routeTable, null);
  }

  /**
   * @param routeTable where the merged route table is published (swapped atomically)
   * @param onChange receives {@link #states()} after every upsert or delete (also when nothing changed); called on
   *     the watcher's thread under the applier's lock; its exceptions are logged and swallowed. {@code null}: none
   */
  public PolicyApplier(String agentId, Map<String, String> podLabels, BackendResolver resolver, CacheRegistry caches,
      AgentMetrics metrics, AtomicReference<RouteTable> routeTable, Consumer<List<PolicyState>> onChange) {
    this(agentId, podLabels, resolver, caches, metrics, routeTable, onChange, null);
  }

  /**
   * @param routeTable where the merged route table is published (swapped atomically)
   * @param onChange receives {@link #states()} after every upsert or delete (also when nothing changed); called on
   *     the watcher's thread under the applier's lock; its exceptions are logged and swallowed. {@code null}: none
   * @param persisted told of every envelope put in force and every policy taken out of force (last-known-good);
   *     {@code null}: {@link AppliedEnvelopeListener#NONE}
   */
  public PolicyApplier(String agentId, Map<String, String> podLabels, BackendResolver resolver, CacheRegistry caches,
      AgentMetrics metrics, AtomicReference<RouteTable> routeTable, Consumer<List<PolicyState>> onChange,
      AppliedEnvelopeListener persisted) {
    this.onChange = onChange;
    this.persisted = persisted == null ? AppliedEnvelopeListener.NONE : persisted;
    this.agentId = Objects.requireNonNull(agentId, "agentId");
    this.podLabels = Map.copyOf(podLabels);
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.caches = Objects.requireNonNull(caches, "caches");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.routeTable = Objects.requireNonNull(routeTable, "routeTable");
  }

  /** Per policy for this agent (applied or rejected), sorted by kind and name. Policies not selected are absent. */
  public List<PolicyState> states() {
    return states;
  }

  /**
   * Whether the ConfigMap {@code configMapName} has been processed at least once (applied, rejected, or found not to
   * be for this agent). Never blocks.
   */
  public boolean knows(String configMapName) {
    return known.contains(configMapName);
  }

  @Override
  public synchronized void upsert(ConfigMap cm) {
    String cmName = cm.getMetadata().getName();
    String data = cm.getData() == null ? null : cm.getData().get(Envelope.DATA_KEY);
    Entry e = entries.computeIfAbsent(cmName, n -> fromLabels(cm));
    e.configMapName = cmName;
    if (e.seen && Objects.equals(e.lastData, data)) {
      return; // resync or a change elsewhere in the object: nothing to do
    }
    e.seen = true;
    e.lastData = data;
    Decision d = EnvelopeSelection.decide(data, agentId, podLabels, e.applied);
    if (d instanceof Apply a) {
      apply(e, a);
    } else if (d instanceof Unchanged u) {
      e.analysis = u.envelope().canary() != null;
      e.state = state(e, u.envelope().sequence(), State.Applied, null, null, null);
    } else if (d instanceof Stale s) {
      LOG.infof("%s %s: ignoring sequence %d, %d is applied", s.envelope().kind(), s.envelope().name(),
          s.envelope().sequence(), s.appliedSequence());
    } else if (d instanceof NotSelected n) {
      identify(e, n.envelope());
      if (e.applied != null) {
        LOG.infof("%s %s: removed (%s)", e.kind, e.name, n.why());
      }
      withdraw(e);
      e.state = null;
    } else if (d instanceof Reject r) {
      reject(e, r.envelope(), r.reason(), r.message(), r.revision());
    }
    publish();
  }

  @Override
  public synchronized void delete(ConfigMap cm) {
    Entry e = entries.remove(cm.getMetadata().getName());
    if (e != null) {
      if (e.applied != null) {
        LOG.infof("%s %s: removed (ConfigMap deleted)", e.kind, e.name);
      }
      withdraw(e);
      publish();
    }
  }

  private void apply(Entry e, Apply a) {
    Envelope env = a.envelope();
    String what = env.kind() + " " + env.name() + ": revision " + a.revision().revision() + " (" + a.track()
        + ", sequence " + env.sequence() + ") applied";
    // 1. prepare everything that can fail
    Runnable commit;
    try {
      if (CacheplaneApi.KIND_CACHE_POLICY.equals(env.kind())) {
        CacheConfig config = CacheConfig.from((CachePolicySpec) a.revision().spec());
        Sealer sealer = caches.prepare(config); // a sensitive cache without a usable key file is rejected here
        commit = () -> LOG.infof("%s: %s", what, caches.apply(env.name(), config, sealer));
      } else {
        List<CompiledRoute> compiled = RouteCompiler.compile(env.name(), (RoutePolicySpec) a.revision().spec(), resolver);
        commit = () -> {
          routesByPolicy.put(env.name(), compiled);
          rebuildRoutes();
          LOG.infof("%s: %d routes", what, compiled.size());
        };
      }
    } catch (RuntimeException ex) {
      reject(e, env, Reasons.APPLY_FAILED, String.valueOf(ex.getMessage()), a.revision().revision());
      return;
    }
    // 2. commit (cannot fail)
    if (e.applied != null && (!env.kind().equals(e.kind) || !env.name().equals(e.name))) {
      withdraw(e); // the ConfigMap now carries another policy (hand-made objects only)
    }
    String previousUid = e.applied == null ? null : e.applied.uid();
    commit.run();
    identify(e, env);
    e.applied = new Applied(env.uid(), env.sequence(), a.revision().revision());
    if (previousUid != null && !previousUid.equals(env.uid())) {
      persisted.withdrawn(env.kind(), previousUid); // the policy was recreated under the same name
    }
    persisted.applied(e.configMapName, env, e.lastData);
    e.track = a.track();
    e.analysis = env.canary() != null;
    e.state = state(e, env.sequence(), State.Applied, null, null, null);
    metrics.applied(e.kind, e.name);
  }

  private void reject(Entry e, Envelope env, String reason, String message, String rejectedRevision) {
    if (env != null && e.applied == null) {
      identify(e, env);
    }
    if (env != null) {
      e.analysis = env.canary() != null; // an unreadable envelope leaves what the last readable one said
    }
    long sequence = env != null ? env.sequence() : e.state != null ? e.state.sequence() : -1;
    e.state = state(e, sequence, State.Rejected, reason, message, rejectedRevision);
    metrics.rejected(e.kind, e.name);
    LOG.warnf("%s %s: envelope rejected, %s: %s%s", e.kind, e.name, reason, message,
        e.applied != null ? " (revision " + e.applied.revision() + " keeps serving)" : "");
  }

  /** Takes an applied policy out of force; forgets its last-known-good entry either way. */
  private void withdraw(Entry e) {
    if (e.uid != null) {
      persisted.withdrawn(e.kind, e.uid);
    }
    if (e.applied == null) {
      return;
    }
    if (CacheplaneApi.KIND_CACHE_POLICY.equals(e.kind)) {
      caches.remove(e.name);
    } else {
      routesByPolicy.remove(e.name);
      rebuildRoutes();
    }
    e.applied = null;
    e.track = null;
  }

  private void rebuildRoutes() {
    List<CompiledRoute> all = new ArrayList<>();
    routesByPolicy.values().forEach(all::addAll);
    routeTable.set(RouteTable.of(all));
  }

  private PolicyState state(Entry e, long sequence, State s, String reason, String message, String rejectedRevision) {
    return new PolicyState(e.kind, e.name, e.uid, sequence, e.applied == null ? null : e.applied.revision(), e.track,
        s, reason, message, rejectedRevision, e.analysis);
  }

  private static void identify(Entry e, Envelope env) {
    if (env != null) {
      e.kind = env.kind();
      e.name = env.name();
      e.uid = env.uid();
    }
  }

  private static Entry fromLabels(ConfigMap cm) {
    Map<String, String> labels = cm.getMetadata().getLabels() == null ? Map.of() : cm.getMetadata().getLabels();
    Entry e = new Entry();
    e.kind = labels.getOrDefault(CacheplaneApi.LABEL_KIND, "Unknown");
    e.name = labels.getOrDefault(CacheplaneApi.LABEL_POLICY, cm.getMetadata().getName());
    e.uid = labels.get(CacheplaneApi.LABEL_POLICY_UID);
    return e;
  }

  private void publish() {
    List<PolicyState> now = entries.values().stream().map(x -> x.state).filter(Objects::nonNull).sorted(ORDER).toList();
    states = now;
    known = Set.copyOf(entries.keySet());
    if (onChange != null) {
      try {
        onChange.accept(now);
      } catch (RuntimeException ex) {
        LOG.errorf(ex, "the policy change listener failed");
      }
    }
  }
}

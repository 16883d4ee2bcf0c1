package io.cacheplane.agent;

import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.cache.PurgeEndpoint;
import io.cacheplane.agent.cache.ResponseCache;
import io.cacheplane.agent.config.PolicyApplier;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.ProxyServer;
import io.cacheplane.agent.proxy.RouteTable;
import io.cacheplane.agent.report.LeaseReporter;
import io.cacheplane.agent.report.ReportBuilder;
import io.cacheplane.agent.report.RevisionCounters;
import io.cacheplane.agent.state.EnvelopeStore;
import io.cacheplane.agent.state.LastKnownGood;
import io.cacheplane.agent.watch.ConfigMapWatcher;
import io.cacheplane.api.contract.AgentReport;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * One data-plane agent: a ConfigMap watcher, the policy applier, the caches, the caching reverse proxy and the
 * Lease reporter (heartbeat + ACK/NACK report, see {@link LeaseReporter}), on a plain Vert.x instance (no Quarkus
 * needed, so tests and local mode can run many agents in one JVM).
 *
 * <pre>{@code
 * Agent agent = Agent.start(client, vertx, AgentSettings.defaults("agent-0", "shop"));
 * int port = agent.trafficPort();
 * ...
 * agent.close();
 * }</pre>
 *
 * <p>Neither the client nor the Vert.x instance is owned: {@link #close()} leaves both open.
 */
public final class Agent implements AutoCloseable {

  /** How long {@link #start} waits for the traffic port to bind. */
  public static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

  private static final Logger LOG = Logger.getLogger(Agent.class);

  private final AgentSettings settings;
  private final AgentMetrics metrics;
  private final CacheRegistry caches;
  private final PolicyApplier applier;
  private final ProxyServer proxy;
  private final RevisionCounters counters;
  private final PurgeEndpoint purgeEndpoint;
  private volatile ConfigMapWatcher watcher;
  private volatile LeaseReporter reporter;

  private Agent(AgentSettings settings, AgentMetrics metrics, CacheRegistry caches, PolicyApplier applier,
      ProxyServer proxy, RevisionCounters counters) {
    this.settings = settings;
    this.metrics = metrics;
    this.caches = caches;
    this.applier = applier;
    this.proxy = proxy;
    this.counters = counters;
    this.purgeEndpoint = new PurgeEndpoint(settings.files().purgeTokenFile(), caches::get);
  }

  /**
   * Starts an agent: applies the last-known-good envelopes of {@link AgentFiles#stateDir()} (when set; see
   * {@link LastKnownGood}), binds the traffic port (waiting for that only), then starts watching policy ConfigMaps
   * and writing its Lease in the background. It never waits for the API server: when it cannot be reached the agent
   * serves its last-known-good policies (or 404 for every request when it has none), and the watch and the Lease
   * writer keep retrying. Unusable state files are skipped with a WARN, never fatal.
   *
   * @param client Kubernetes client used for the ConfigMap informer and the Lease (not closed by the agent)
   * @param vertx the Vert.x instance the proxy and its upstream client run on (not closed by the agent)
   * @param settings identity, traffic port, resolver, ticker, meter registry
   * @return the running agent
   * @throws IllegalStateException when called on a Vert.x event-loop thread (it would block it), or when the
   *     traffic port cannot be bound within {@link #BIND_TIMEOUT}
   */
  public static Agent start(KubernetesClient client, Vertx vertx, AgentSettings settings) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(vertx, "vertx");
    Objects.requireNonNull(settings, "settings");
    if (Context.isOnEventLoopThread()) {
      throw new IllegalStateException("Agent.start blocks until the traffic port is bound; call it off the event loop");
    }
    AgentMetrics metrics = new AgentMetrics(settings.meterRegistry());
    CacheRegistry caches = new CacheRegistry(settings.ticker(), metrics, settings.files().encryptionKeyFile());
    AtomicReference<RouteTable> routes = new AtomicReference<>(RouteTable.EMPTY);
    RevisionCounters counters = new RevisionCounters();
    AtomicReference<LeaseReporter> reporter = new AtomicReference<>();
    LastKnownGood lastKnownGood = settings.files().stateDir() == null ? null
        : new LastKnownGood(new EnvelopeStore(settings.files().stateDir()), metrics, settings.namespace());
    PolicyApplier applier = new PolicyApplier(settings.agentId(), settings.podLabels(), settings.resolver(), caches,
        metrics, routes, states -> {
          counters.track(states);
          LeaseReporter r = reporter.get();
          if (r != null) {
            r.changed();
          }
        }, lastKnownGood);
    List<ConfigMap> lastKnown = lastKnownGood == null ? List.of() : lastKnownGood.load();
    lastKnown.forEach(applier::upsert); // same validation and sequence rule as envelopes from the API
    ProxyServer proxy = new ProxyServer(vertx, routes::get, caches, metrics, counters, settings.limits(),
        settings.files().upstreamCaFile());
    try {
      proxy.listen(settings.trafficHost(), settings.trafficPort())
          .toCompletionStage().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      proxy.close();
      metrics.close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalStateException("cannot bind the traffic port " + settings.trafficHost() + ":"
          + settings.trafficPort() + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      proxy.close();
      metrics.close();
      throw new IllegalStateException("interrupted while binding the traffic port", e);
    }
    Agent agent = new Agent(settings, metrics, caches, applier, proxy, counters);
    agent.reporter = LeaseReporter.start(client, settings, agent::report);
    reporter.set(agent.reporter);
    agent.watcher = ConfigMapWatcher.start(client, settings.namespace(), applier, lastKnown);
    LOG.infof("agent %s serving on %s:%d, watching namespace %s", settings.agentId(), settings.trafficHost(),
        proxy.port(), settings.namespace());
    return agent;
  }

  /** The settings this agent was started with. */
  public AgentSettings settings() {
    return settings;
  }

  /** The port the proxy is bound to (the actual one when 0 was asked), or -1 once closed. */
  public int trafficPort() {
    return proxy.port();
  }

  /**
   * Whether the agent should receive traffic: the proxy listens (from {@link #start} until {@link #close}) and every
   * policy ConfigMap the agent knows — from its last-known-good state or listed by the API server — has been
   * processed ({@link #pendingPolicies()} is empty): applied, rejected (the previous revision, if any, keeps
   * serving; one bad policy does not take the agent out of service) or found not to be for this agent. Not tied to
   * the API server: an agent serving its last-known-good policies stays ready while the API is away, and an agent
   * that knows no policy is ready at once.
   */
  public boolean ready() {
    return proxy.listening() && pendingPolicies().isEmpty();
  }

  /** Names of the policy ConfigMaps the agent knows but has not processed yet, sorted; usually empty. */
  public List<String> pendingPolicies() {
    ConfigMapWatcher w = watcher;
    if (w == null) {
      return List.of();
    }
    return w.configMapNames().stream().filter(n -> !applier.knows(n)).sorted().toList();
  }

  /** Whether the ConfigMap informer has completed its first list (false while the API server is unreachable). */
  public boolean synced() {
    ConfigMapWatcher w = watcher;
    return w != null && w.hasSynced();
  }

  /**
   * Whether the ConfigMap informer's watch is open right now: false while the API server is unreachable (the agent
   * keeps serving what it has) and until the informer has reconnected, with back-off, after an outage.
   */
  public boolean watching() {
    ConfigMapWatcher w = watcher;
    return w != null && w.isWatching();
  }

  /**
   * Per policy selected for this agent: applied revision, state and reason; sorted by kind, then name. Policies whose
   * selector does not match this agent, or that have no revision for it yet, are absent.
   */
  public List<PolicyState> policies() {
    return applier.states();
  }

  /**
   * The ACK/NACK report as it would be written to the agent's Lease now ({@link ReportBuilder}): per policy of
   * {@link #policies()} the serving revision, {@code Applied}/{@code Rejected} with the reason, and, for policies
   * under analysis, the request counters of the serving revision.
   */
  public AgentReport report() {
    return ReportBuilder.build(settings.agentId(), applier.states(), counters::read);
  }

  /**
   * The live settings of the cache of CachePolicy {@code cachePolicyName}.
   *
   * @return a snapshot, or {@code null} when that policy is not applied on this agent
   */
  public CacheView cache(String cachePolicyName) {
    ResponseCache c = caches.get(cachePolicyName);
    return c == null ? null : c.view();
  }

  /**
   * Purges entries of the cache of CachePolicy {@code cachePolicyName}: the one of an exact normalised key (shape in
   * {@link io.cacheplane.agent.cache.CacheKeys}; hashed first in a sensitive cache), or every entry whose key path
   * starts with {@code pathPrefix}. Give exactly one of the two.
   *
   * @return the number of entries removed
   * @throws java.util.NoSuchElementException when that policy is not applied on this agent
   * @throws IllegalArgumentException when both or neither are given, the prefix does not start with {@code /}, or a
   *     prefix is given for a sensitive cache (its keys are hashed)
   */
  public long purge(String cachePolicyName, String exactKey, String pathPrefix) {
    ResponseCache c = caches.get(cachePolicyName);
    if (c == null) {
      throw new java.util.NoSuchElementException("no cache " + cachePolicyName + " on agent " + settings.agentId());
    }
    if ((exactKey == null) == (pathPrefix == null)) {
      throw new IllegalArgumentException("give exactly one of an exact key and a path prefix");
    }
    return exactKey != null ? c.purgeKey(exactKey) : c.purgePrefix(pathPrefix);
  }

  /**
   * The management port's purge endpoint (token check, JSON answers) over this agent's caches; off (404) unless
   * {@link AgentFiles#purgeTokenFile()} is set. The Quarkus shell routes {@code POST /purge/{cache}} to it.
   */
  public PurgeEndpoint purgeEndpoint() {
    return purgeEndpoint;
  }

  /**
   * Stops the Lease writer (the Lease is left to expire: RBAC does not let the agent delete it), stops watching,
   * closes the traffic port and the upstream pool, and removes the agent's meters. Idempotent.
   */
  @Override
  public void close() {
    LeaseReporter r = reporter;
    reporter = null;
    if (r != null) {
      r.close();
    }
    ConfigMapWatcher w = watcher;
    watcher = null;
    if (w != null) {
      w.close();
    }
    try {
      proxy.close().toCompletionStage().toCompletableFuture().get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.warnf("closing the proxy of agent %s: %s", settings.agentId(), e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    metrics.close();
  }
}

package io.cacheplane.agent.shell;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentFiles;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.ProxyLimits;
import io.cacheplane.api.validation.Values;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The Quarkus shell around {@link Agent}: starts it at application start with the CDI {@link KubernetesClient},
 * Quarkus' managed {@link Vertx} and {@link MeterRegistry}, and closes it at shutdown.
 *
 * <p>Configuration ({@code application.properties} or environment):
 * <ul>
 *   <li>{@code cacheplane.agent.id}: the agent id; default env {@code POD_NAME}, then {@code HOSTNAME}, then the
 *       local host name;
 *   <li>{@code cacheplane.agent.namespace}: the namespace to watch; default env {@code POD_NAMESPACE}, then the
 *       client's namespace;
 *   <li>{@code cacheplane.agent.labels-file}: the Downward API labels file ({@code key="value"} per line); a missing
 *       file means no labels;
 *   <li>{@code cacheplane.agent.traffic-host} / {@code cacheplane.agent.traffic-port}: where the proxy listens
 *       (default 0.0.0.0:8080). Quarkus' own HTTP port is the management port (health, metrics);
 *   <li>{@code cacheplane.agent.pod-uid}: the pod's UID (default env {@code POD_UID}, Downward API
 *       {@code metadata.uid}); when set, the agent's Lease is owned by the pod; empty: no ownerReference;
 *   <li>{@code cacheplane.agent.lease-duration}: validity of the agent's Lease after each renewal, a duration such as
 *       {@code 15s} or {@code PT15S} (whole seconds are written; at least 1 s; default 15 s);
 *   <li>{@code cacheplane.agent.heartbeat}: period of the Lease renewal, shorter than the lease duration (default
 *       lease duration / 3, i.e. 5 s);
 *   <li>{@code cacheplane.agent.state-dir} (env {@code CACHEPLANE_AGENT_STATE_DIR}, set by the chart): directory of
 *       the last-known-good envelopes, created when missing; unset or empty: nothing is persisted (see
 *       {@link io.cacheplane.agent.state.LastKnownGood});
 *   <li>{@code cacheplane.agent.encryption-key-file}: the key of {@code sensitive} caches (32 bytes, raw or base64;
 *       see {@link io.cacheplane.agent.cache.Sealer}); unset or empty: sensitive CachePolicies are rejected;
 *   <li>{@code cacheplane.agent.purge.token-file}: the bearer token of the purge endpoint ({@link PurgeRoute}), read on
 *       every purge request; unset or empty: the endpoint answers 404;
 *   <li>{@code cacheplane.agent.limits.max-uri-length} (characters, default 4096; longer → 414),
 *       {@code cacheplane.agent.limits.max-header-size} (bytes as a quantity such as {@code 8Ki}, default 8Ki; larger →
 *       431), {@code cacheplane.agent.limits.max-request-body} (bytes as a quantity, default 10Mi; larger → 413),
 *       {@code cacheplane.agent.limits.client-idle-timeout} (a duration in the CRDs' syntax, e.g. {@code 60s} or
 *       {@code 1m30s}; default 60s): see {@link ProxyLimits};
 *   <li>{@code cacheplane.agent.upstream-ca-file}: PEM bundle of certificate authorities trusted for https upstreams
 *       besides the JVM's; empty: the JVM's only. An unreadable bundle stops the start with an error naming the file.
 * </ul>
 */
@ApplicationScoped
public class AgentLifecycle {

  private static final Logger LOG = Logger.getLogger(AgentLifecycle.class);

  @Inject
  KubernetesClient client;

  @Inject
  Vertx vertx;

  @Inject
  MeterRegistry meterRegistry;

  @ConfigProperty(name = "cacheplane.agent.id")
  Optional<String> agentId;

  @ConfigProperty(name = "cacheplane.agent.namespace")
  Optional<String> namespace;

  @ConfigProperty(name = "cacheplane.agent.labels-file")
  Optional<String> labelsFile;

  @ConfigProperty(name = "cacheplane.agent.traffic-host", defaultValue = AgentSettings.DEFAULT_TRAFFIC_HOST)
  String trafficHost;

  @ConfigProperty(name = "cacheplane.agent.traffic-port", defaultValue = "8080")
  int trafficPort;

  @ConfigProperty(name = "cacheplane.agent.pod-uid")
  Optional<String> podUid;

  @ConfigProperty(name = "cacheplane.agent.lease-duration", defaultValue = "15s")
  Duration leaseDuration;

  @ConfigProperty(name = "cacheplane.agent.heartbeat")
  Optional<Duration> heartbeat;

  @ConfigProperty(name = "cacheplane.agent.state-dir")
  Optional<String> stateDir;
  @ConfigProperty(name = "cacheplane.agent.encryption-key-file")
  Optional<String> encryptionKeyFile;

  @ConfigProperty(name = "cacheplane.agent.purge.token-file")
  Optional<String> purgeTokenFile;

  @ConfigProperty(name = "cacheplane.agent.limits.max-uri-length", defaultValue = "4096")
  int maxUriLength;

  @ConfigProperty(name = "cacheplane.agent.limits.max-header-size", defaultValue = "8Ki")
  String maxHeaderSize;

  @ConfigProperty(name = "cacheplane.agent.limits.max-request-body", defaultValue = "10Mi")
  String maxRequestBody;

  @ConfigProperty(name = "cacheplane.agent.limits.client-idle-timeout", defaultValue = "60s")
  String clientIdleTimeout;

  @ConfigProperty(name = "cacheplane.agent.upstream-ca-file")
  Optional<String> upstreamCaFile;

  private volatile Agent agent;

  void onStart(@Observes StartupEvent event) {
    String id = agentId.filter(s -> !s.isBlank()).orElseGet(AgentLifecycle::hostName);
    String ns = namespace.filter(s -> !s.isBlank()).orElseGet(() -> client.getNamespace());
    if (ns == null || ns.isBlank()) {
      throw new IllegalStateException("no namespace to watch: set cacheplane.agent.namespace or POD_NAMESPACE");
    }
    Map<String, String> labels = labels();
    AgentFiles files = cacheFiles(AgentFiles.none())
        .withStateDir(stateDir.filter(s -> !s.isBlank()).map(s -> Path.of(s.strip())).orElse(null));
    AgentSettings settings = new AgentSettings(id, ns, labels, trafficHost, trafficPort, null, Ticker.systemTicker(),
        meterRegistry, podUid.filter(s -> !s.isBlank()).orElse(null), leaseDuration, heartbeat.orElse(null),
        files, null);
    settings = settings.withLimits(limits(maxUriLength, maxHeaderSize, maxRequestBody, clientIdleTimeout))
        .withFiles(settings.files().withUpstreamCaFile(upstreamCaFile.filter(s -> !s.isBlank()).map(Path::of).orElse(null)));
    agent = Agent.start(client, vertx, settings);
    LOG.infof("cacheplane agent %s started (namespace %s, %d pod labels, traffic port %d, pod uid %s, lease %d s "
        + "renewed every %d ms, last-known-good in %s)", id, ns, labels.size(), agent.trafficPort(),
        settings.podUid() == null ? "unknown" : settings.podUid(), settings.leaseDurationSeconds(),
        settings.heartbeat().toMillis(), files.stateDir() == null ? "nothing (off)" : files.stateDir());
  }

  void onStop(@Observes ShutdownEvent event) {
    Agent a = agent;
    agent = null;
    if (a != null) {
      a.close();
    }
  }

  /** The running agent, or {@code null} before start and after shutdown. */
  public Agent agent() {
    return agent;
  }

  /** {@code files} with the key file of sensitive caches and the purge token file, when configured. */
  private AgentFiles cacheFiles(AgentFiles files) {
    return files
        .withEncryptionKeyFile(encryptionKeyFile.filter(s -> !s.isBlank()).map(Path::of).orElse(null))
        .withPurgeTokenFile(purgeTokenFile.filter(s -> !s.isBlank()).map(Path::of).orElse(null));
  }

  /**
   * The proxy limits from their configuration values.
   *
   * @param maxHeaderSize, maxRequestBody byte quantities ({@code 8Ki}, {@code 10Mi}, {@code 1000})
   * @param clientIdleTimeout a duration ({@code 60s}, {@code 1m30s}, {@code 500ms})
   * @throws IllegalArgumentException naming the configuration key whose value is malformed or not positive
   */
  static ProxyLimits limits(int maxUriLength, String maxHeaderSize, String maxRequestBody, String clientIdleTimeout) {
    long header = bytes("cacheplane.agent.limits.max-header-size", maxHeaderSize);
    long body = bytes("cacheplane.agent.limits.max-request-body", maxRequestBody);
    Duration idle;
    try {
      idle = Values.duration(clientIdleTimeout == null ? "" : clientIdleTimeout.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cacheplane.agent.limits.client-idle-timeout " + e.getMessage(), e);
    }
    if (header > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("cacheplane.agent.limits.max-header-size must be below 2Gi, got " + maxHeaderSize);
    }
    try {
      return new ProxyLimits(maxUriLength, (int) header, body, idle);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("cacheplane.agent.limits.*: " + e.getMessage(), e);
    }
  }

  private static long bytes(String key, String value) {
    try {
      return Values.bytes(new IntOrString(value == null ? "" : value.strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(key + " " + e.getMessage(), e);
    }
  }

  private Map<String, String> labels() {
    if (labelsFile.isEmpty() || labelsFile.get().isBlank()) {
      return Map.of();
    }
    try {
      return PodLabels.read(Path.of(labelsFile.get()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the pod labels file " + labelsFile.get(), e);
    }
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      throw new IllegalStateException("no agent id: set cacheplane.agent.id or POD_NAME", e);
    }
  }
}

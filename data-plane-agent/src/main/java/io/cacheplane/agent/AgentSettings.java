package io.cacheplane.agent;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an {@link Agent} needs besides its Kubernetes client and Vert.x instance. {@code null} for an optional
 * component means its default.
 *
 * @param agentId the agent's identity, its pod name (required; input of sticky bucketing and the name of its Lease)
 * @param namespace the namespace whose policy ConfigMaps the agent watches and where it keeps its Lease (required)
 * @param podLabels the pod's labels, matched against each policy's {@code agentSelector} and copied onto the agent's
 *     Lease; default none
 * @param trafficHost interface the proxy binds; default {@value #DEFAULT_TRAFFIC_HOST}
 * @param trafficPort port the proxy binds, 0..65535; 0 (the default of {@link #defaults}) picks a free port, see
 *     {@link Agent#trafficPort()}
 * @param resolver maps Service backends to endpoints; default {@link BackendResolver#clusterDns(String)}
 * @param ticker time source of the caches (nanoseconds); default {@link Ticker#systemTicker()}
 * @param meterRegistry where the agent's meters go; default a fresh {@link SimpleMeterRegistry}
 * @param podUid the pod's {@code metadata.uid} (Downward API, env {@code POD_UID}); when known, the agent's Lease
 *     gets an ownerReference to the pod, so it is garbage-collected with it. {@code null} or blank: unknown, no
 *     ownerReference (the Lease then simply expires)
 * @param leaseDuration how long the agent's Lease stays valid after a renewal (written as
 *     {@code spec.leaseDurationSeconds}, whole seconds, rounded up); at least 1 second; default
 *     {@link #DEFAULT_LEASE_DURATION} (15 s)
 * @param heartbeat period of the Lease renewal (and of the counters in the report); positive and shorter than
 *     {@code leaseDuration}; default {@code leaseDuration / 3} (5 s with the default lease duration)
 * @param files state directory, key and token files, CA bundle; default {@link AgentFiles#none()}
 * @param limits bounds on client requests; default {@link ProxyLimits#DEFAULTS}
 */
public record AgentSettings(
    String agentId,
    String namespace,
    Map<String, String> podLabels,
    String trafficHost,
    int trafficPort,
    BackendResolver resolver,
    Ticker ticker,
    MeterRegistry meterRegistry,
    String podUid,
    Duration leaseDuration,
    Duration heartbeat,
    AgentFiles files,
    ProxyLimits limits) {

  /** Default bind address of the traffic port: every interface. */
  public static final String DEFAULT_TRAFFIC_HOST = "0.0.0.0";
  /** Default {@link #leaseDuration()}: 15 seconds. */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

  /**
   * @throws NullPointerException when agentId or namespace is null
   * @throws IllegalArgumentException when they are blank, the port is out of range, the lease duration is shorter
   *     than 1 second, or the heartbeat is not positive or not shorter than the lease duration
   */
  public AgentSettings {
    Objects.requireNonNull(agentId, "agentId");
    Objects.requireNonNull(namespace, "namespace");
    if (agentId.isBlank() || namespace.isBlank()) {
      throw new IllegalArgumentException("agentId and namespace must not be blank");
    }
    if (trafficPort < 0 || trafficPort > 65535) {
      throw new IllegalArgumentException("trafficPort must be in 0..65535, got " + trafficPort);
    }
    podLabels = podLabels == null ? Map.of() : Map.copyOf(podLabels);
    trafficHost = trafficHost == null || trafficHost.isBlank() ? DEFAULT_TRAFFIC_HOST : trafficHost;
    resolver = resolver == null ? BackendResolver.clusterDns(namespace) : resolver;
    ticker = ticker == null ? Ticker.systemTicker() : ticker;
    meterRegistry = meterRegistry == null ? new SimpleMeterRegistry() : meterRegistry;
    podUid = podUid == null || podUid.isBlank() ? null : podUid.strip();
    leaseDuration = leaseDuration == null ? DEFAULT_LEASE_DURATION : leaseDuration;
    if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("leaseDuration must be at least 1 second, got " + leaseDuration);
    }
    heartbeat = heartbeat == null ? defaultHeartbeat(leaseDuration) : heartbeat;
    files = files == null ? AgentFiles.none() : files;
    limits = limits == null ? ProxyLimits.DEFAULTS : limits;
    if (heartbeat.isNegative() || heartbeat.isZero() || heartbeat.compareTo(leaseDuration) >= 0) {
      throw new IllegalArgumentException("heartbeat must be positive and shorter than leaseDuration ("
          + leaseDuration + "), got " + heartbeat);
    }
  }

  /**
   * The settings of before the Lease existed; the pod UID is unknown and the Lease timing is default.
   *
   * @see #AgentSettings(String, String, Map, String, int, BackendResolver, Ticker, MeterRegistry, String, Duration,
   *     Duration, AgentFiles, ProxyLimits)
   */
  public AgentSettings(String agentId, String namespace, Map<String, String> podLabels, String trafficHost,
      int trafficPort, BackendResolver resolver, Ticker ticker, MeterRegistry meterRegistry) {
    this(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry, null, null, null,
        null, null);
  }

  /**
   * No labels, every interface, an ephemeral port, cluster DNS, the system ticker, a private meter registry, no pod
   * UID, a 15 s Lease renewed every 5 s.
   */
  public static AgentSettings defaults(String agentId, String namespace) {
    return new AgentSettings(agentId, namespace, null, null, 0, null, null, null, null, null, null, null, null);
  }

  /** {@code leaseDuration / 3}: the default heartbeat. */
  public static Duration defaultHeartbeat(Duration leaseDuration) {
    return leaseDuration.dividedBy(3);
  }

  /** {@code spec.leaseDurationSeconds} of the Lease: the lease duration in whole seconds, rounded up. */
  public int leaseDurationSeconds() {
    long seconds = leaseDuration.getSeconds() + (leaseDuration.getNano() > 0 ? 1 : 0);
    return (int) Math.min(Integer.MAX_VALUE, seconds);
  }

  public AgentSettings withPodLabels(Map<String, String> labels) {
    return new AgentSettings(agentId, namespace, labels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  public AgentSettings withTrafficHost(String host) {
    return new AgentSettings(agentId, namespace, podLabels, host, trafficPort, resolver, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  public AgentSettings withTrafficPort(int port) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, port, resolver, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  public AgentSettings withResolver(BackendResolver r) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, r, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  public AgentSettings withTicker(Ticker t) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, t, meterRegistry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  public AgentSettings withMeterRegistry(MeterRegistry registry) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, registry,
        podUid, leaseDuration, heartbeat, files, limits);
  }

  /** The pod's UID ({@code null} or blank: unknown, the Lease gets no ownerReference). */
  public AgentSettings withPodUid(String uid) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        uid, leaseDuration, heartbeat, files, limits);
  }

  /**
   * The Lease duration ({@code null}: the default, 15 s). A heartbeat still at its default ({@code leaseDuration / 3}
   * of the old duration) follows the new duration; one set with {@link #withHeartbeat} is kept (so set the duration
   * first when the new one is shorter than the heartbeat).
   *
   * @throws IllegalArgumentException when shorter than 1 second or not longer than the kept heartbeat
   */
  public AgentSettings withLeaseDuration(Duration duration) {
    Duration hb = heartbeat.equals(defaultHeartbeat(leaseDuration)) ? null : heartbeat;
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        podUid, duration, hb, files, limits);
  }

  /**
   * The renewal period ({@code null}: {@code leaseDuration / 3}).
   *
   * @throws IllegalArgumentException when not positive or not shorter than the lease duration
   */
  public AgentSettings withHeartbeat(Duration period) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        podUid, leaseDuration, period, files, limits);
  }

  /** Files and directories ({@code null}: {@link AgentFiles#none()}). */
  public AgentSettings withFiles(AgentFiles f) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, f, limits);
  }

  /** Bounds on client requests ({@code null}: {@link ProxyLimits#DEFAULTS}). */
  public AgentSettings withLimits(ProxyLimits l) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, meterRegistry,
        podUid, leaseDuration, heartbeat, files, l);
  }
}

package io.cacheplane.agent;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import java.util.Objects;

/**
 * Everything an {@link Agent} needs besides its Kubernetes client and Vert.x instance. {@code null} for an optional
 * component means its default.
 *
 * @param agentId the agent's identity, its pod name (required; input of sticky bucketing)
 * @param namespace the namespace whose policy ConfigMaps the agent watches (required)
 * @param podLabels the pod's labels, matched against each policy's {@code agentSelector}; default none
 * @param trafficHost interface the proxy binds; default {@value #DEFAULT_TRAFFIC_HOST}
 * @param trafficPort port the proxy binds, 0..65535; 0 (the default of {@link #defaults}) picks a free port, see
 *     {@link Agent#trafficPort()}
 * @param resolver maps Service backends to endpoints; default {@link BackendResolver#clusterDns(String)}
 * @param ticker time source of the caches (nanoseconds); default {@link Ticker#systemTicker()}
 * @param meterRegistry where the agent's meters go; default a fresh {@link SimpleMeterRegistry}
 */
public record AgentSettings(
    String agentId,
    String namespace,
    Map<String, String> podLabels,
    String trafficHost,
    int trafficPort,
    BackendResolver resolver,
    Ticker ticker,
    MeterRegistry meterRegistry) {

  /** Default bind address of the traffic port: every interface. */
  public static final String DEFAULT_TRAFFIC_HOST = "0.0.0.0";

  /**
   * @throws NullPointerException when agentId or namespace is null
   * @throws IllegalArgumentException when they are blank or the port is out of range
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
  }

  /** No labels, every interface, an ephemeral port, cluster DNS, the system ticker, a private meter registry. */
  public static AgentSettings defaults(String agentId, String namespace) {
    return new AgentSettings(agentId, namespace, null, null, 0, null, null, null);
  }

  public AgentSettings withPodLabels(Map<String, String> labels) {
    return new AgentSettings(agentId, namespace, labels, trafficHost, trafficPort, resolver, ticker, meterRegistry);
  }

  public AgentSettings withTrafficHost(String host) {
    return new AgentSettings(agentId, namespace, podLabels, host, trafficPort, resolver, ticker, meterRegistry);
  }

  public AgentSettings withTrafficPort(int port) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, port, resolver, ticker, meterRegistry);
  }

  public AgentSettings withResolver(BackendResolver r) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, r, ticker, meterRegistry);
  }

  public AgentSettings withTicker(Ticker t) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, t, meterRegistry);
  }

  public AgentSettings withMeterRegistry(MeterRegistry registry) {
    return new AgentSettings(agentId, namespace, podLabels, trafficHost, trafficPort, resolver, ticker, registry);
  }
}

package io.cacheplane.agent.shell;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
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
 *       (default 0.0.0.0:8080). Quarkus' own HTTP port is the management port (health, metrics).
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

  private volatile Agent agent;

  void onStart(@Observes StartupEvent event) {
    String id = agentId.filter(s -> !s.isBlank()).orElseGet(AgentLifecycle::hostName);
    String ns = namespace.filter(s -> !s.isBlank()).orElseGet(() -> client.getNamespace());
    if (ns == null || ns.isBlank()) {
      throw new IllegalStateException("no namespace to watch: set cacheplane.agent.namespace or POD_NAMESPACE");
    }
    Map<String, String> labels = labels();
    AgentSettings settings = new AgentSettings(id, ns, labels, trafficHost, trafficPort, null, Ticker.systemTicker(),
        meterRegistry);
    agent = Agent.start(client, vertx, settings);
    LOG.infof("cacheplane agent %s started (namespace %s, %d pod labels, traffic port %d)", id, ns, labels.size(),
        agent.trafficPort());
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

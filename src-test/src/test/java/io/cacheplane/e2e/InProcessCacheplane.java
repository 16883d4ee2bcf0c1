package io.cacheplane.e2e;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.local.DemoUpstream;
import io.cacheplane.local.LocalCluster;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The operator and agents of a Helm release, run in the test JVM against the local control plane (its pods stay
 * Pending: there is no kubelet), each with the client of its pod's ServiceAccount ({@link ServiceAccountClients}), so
 * the chart's RBAC is in force. Services resolve to a {@link DemoUpstream} on loopback ports. {@link #close()} stops
 * everything it started, agents first, and closes the clients it was given.
 */
final class InProcessCacheplane implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  private final DemoUpstream upstream;
  private final List<Agent> agents = new ArrayList<>();
  private final List<KubernetesClient> clients = new ArrayList<>();
  private CacheplaneOperator operator;

  InProcessCacheplane() {
    List<String> services = new ArrayList<>(LocalCluster.SERVICES);
    services.add(DemoUpstream.FALLBACK);
    upstream = DemoUpstream.start(vertx, services);
  }

  /** Registers a client to close in {@link #close()} (call it right after creating one, before using it). */
  KubernetesClient adopt(KubernetesClient client) {
    if (!clients.contains(client)) {
      clients.add(client);
    }
    return client;
  }

  DemoUpstream upstream() {
    return upstream;
  }

  /**
   * Starts the operator (blocks until its informers synced) watching {@code namespaces}; {@code client} is closed by
   * {@link #close()}.
   */
  CacheplaneOperator startOperator(KubernetesClient client, Set<String> namespaces) {
    adopt(client);
    operator = CacheplaneOperator.start(client, OperatorSettings.defaults().withNamespaces(namespaces)
        .withMeterRegistry(new SimpleMeterRegistry()));
    return operator;
  }

  /** Stops the operator (its client stays open until {@link #close()}). Idempotent. */
  void stopOperator() {
    if (operator != null) {
      operator.close();
    }
  }

  CacheplaneOperator operator() {
    return operator;
  }

  /**
   * Starts an agent with id {@code agentId} in {@code namespace}, labelled as the chart's agent pods, serving on an
   * ephemeral loopback port; {@code client} is closed by {@link #close()}.
   */
  Agent startAgent(KubernetesClient client, String agentId, String namespace) {
    adopt(client);
    Agent agent = Agent.start(client, vertx, AgentSettings.defaults(agentId, namespace)
        .withPodLabels(LocalCluster.AGENT_LABELS)
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(0)
        .withResolver(resolver())
        .withMeterRegistry(new SimpleMeterRegistry()));
    agents.add(agent);
    return agent;
  }

  List<Agent> agents() {
    return List.copyOf(agents);
  }

  /** Every service the demo serves maps to its port; any other to the demo's fallback server. */
  private BackendResolver resolver() {
    Map<String, Endpoint> services = new HashMap<>();
    upstream.ports().forEach((service, port) -> services.put(service, Endpoint.http("127.0.0.1", port)));
    Endpoint fallback = Endpoint.http("127.0.0.1", upstream.port(DemoUpstream.FALLBACK));
    return BackendResolver.mapped(services, (service, port) -> fallback);
  }

  @Override
  public void close() {
    agents.forEach(InProcessCacheplane::closeQuietly);
    if (operator != null) {
      closeQuietly(operator);
    }
    clients.forEach(InProcessCacheplane::closeQuietly);
    closeQuietly(upstream);
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      System.err.println("[e2e] closing Vert.x: " + e);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("[e2e] closing " + c + ": " + e);
    }
  }
}

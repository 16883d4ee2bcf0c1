package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.local.DemoUpstream;
import io.cacheplane.local.LocalCluster;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
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
public final class InProcessCacheplane implements AutoCloseable {

  /** Services whose name starts with this do not resolve (an agent given such a backend rejects the revision). */
  static final String UNRESOLVABLE_PREFIX = "unresolvable";

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
    return startAgent(client, null, agentId, namespace);
  }

  /**
   * Starts an agent whose identity is a Pod object created with {@code admin} (no kubelet: the operator only needs
   * the Pod to exist, and its UID owns the agent's Lease). {@code admin} null: no Pod (the operator then ignores the
   * agent's Lease).
   */
  Agent startAgent(KubernetesClient client, KubernetesClient admin, String agentId, String namespace) {
    adopt(client);
    String podUid = admin == null ? null : createAgentPod(admin, namespace, agentId).getMetadata().getUid();
    Agent agent = Agent.start(client, vertx, AgentSettings.defaults(agentId, namespace)
        .withPodUid(podUid)
        .withPodLabels(LocalCluster.AGENT_LABELS)
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(0)
        .withResolver(resolver())
        .withMeterRegistry(new SimpleMeterRegistry()));
    agents.add(agent);
    return agent;
  }

  /** Creates (or updates) a plain Pod named {@code name} with the agents' labels, once the namespace admits pods. */
  public static Pod createAgentPod(KubernetesClient admin, String namespace, String name) {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).withLabels(LocalCluster.AGENT_LABELS).endMetadata()
        .withNewSpec().withAutomountServiceAccountToken(false)
          .addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
        .build();
    // The ServiceAccount admission plugin refuses pods until the namespace's default ServiceAccount exists.
    await("Pod " + name + " created").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> admin.pods().inNamespace(namespace).resource(pod).createOr(NonDeletingOperation::update) != null);
    return admin.pods().inNamespace(namespace).withName(name).get();
  }

  /**
   * Starts one agent per client, each as a chart agent pod would run: a Pod object named {@code agent-<i>} (made with
   * {@code admin}), the agents' labels, a 6 s Lease renewed every second, an ephemeral loopback port; then waits up to
   * {@code atMost} until every agent listed its ConfigMaps and wrote its Lease. Closed by {@link #close()}.
   *
   * @return the agents, in the order of {@code clients}
   */
  List<Agent> startChartAgents(KubernetesClient admin, String namespace, List<KubernetesClient> clients,
      Duration atMost) {
    List<Agent> started = new ArrayList<>();
    for (int i = 0; i < clients.size(); i++) {
      String podName = "agent-" + i;
      Pod pod = createAgentPod(admin, namespace, podName);
      Agent agent = Agent.start(adopt(clients.get(i)), vertx, AgentSettings.defaults(podName, namespace)
          .withPodLabels(LocalCluster.AGENT_LABELS)
          .withPodUid(pod.getMetadata().getUid())
          .withLeaseDuration(Duration.ofSeconds(6))
          .withHeartbeat(Duration.ofSeconds(1))
          .withTrafficHost("127.0.0.1")
          .withTrafficPort(0)
          .withResolver(resolver())
          .withMeterRegistry(new SimpleMeterRegistry()));
      agents.add(agent);
      started.add(agent);
    }
    await("all agents synced and their Leases written").atMost(atMost).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> {
          assertThat(started).allMatch(Agent::synced);
          for (Agent a : started) {
            assertThat(admin.leases().inNamespace(namespace).withName(AgentLeases.leaseName(a.settings().agentId()))
                .get()).as("Lease of " + a.settings().agentId()).isNotNull();
          }
        });
    return started;
  }

  /** Clients authenticated as the chart's operator ServiceAccount and, one each, its agent ServiceAccount. */
  record ChartClients(KubernetesClient operator, List<KubernetesClient> agents) {}

  /**
   * {@code helm install} of the chart as {@code release} into {@code namespace}, CRDs skipped, the operator watching
   * that namespace; fails the test when helm does.
   */
  static void installChart(LocalControlPlane k8s, String release, String namespace) {
    Cli.Result install = k8s.helm("install", release, k8s.tools().chart().toString(), "-n", namespace,
        "--skip-crds", "--set-json", "operator.watchNamespaces=[\"" + namespace + "\"]");
    assertThat(install.exitCode()).as(install.toString()).isZero();
  }

  /**
   * Clients with the tokens of the chart's ServiceAccounts {@code <release>-cacheplane-operator} and
   * {@code <release>-cacheplane-agent} (adopted: closed by {@link #close()}), returned once the apiserver enforces the
   * chart's RoleBindings — its RBAC authorizer learns them from an informer, a moment after helm returns — waiting
   * up to {@code atMost}.
   *
   * @param agentClients how many agent clients, ≥ 1
   */
  ChartClients chartClients(LocalControlPlane k8s, String release, String namespace, int agentClients,
      Duration atMost) {
    KubernetesClient operator = adopt(ServiceAccountClients.client(k8s, namespace, release + "-cacheplane-operator",
        "cacheplane-operator/e2e"));
    List<KubernetesClient> agentList = new ArrayList<>();
    for (int i = 0; i < agentClients; i++) {
      agentList.add(adopt(ServiceAccountClients.client(k8s, namespace, release + "-cacheplane-agent",
          "cacheplane-agent/e2e")));
    }
    KubernetesClient agent = agentList.get(0);
    await("the chart's RoleBindings are in force").atMost(atMost).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(() -> operator.resources(CachePolicy.class).inNamespace(namespace).list() != null
            && agent.configMaps().inNamespace(namespace).list() != null
            && agent.leases().inNamespace(namespace).withName("probe").get() == null);
    return new ChartClients(operator, List.copyOf(agentList));
  }

  /** {@code helm uninstall} of {@code release} (when {@code installed}) and deletion of the namespace. */
  static void uninstallChart(LocalControlPlane k8s, String release, String namespace, boolean installed) {
    Cli.Result uninstall = installed ? k8s.helm("uninstall", release, "-n", namespace) : null;
    if (namespace != null) {
      k8s.client().namespaces().withName(namespace).delete();
    }
    if (uninstall != null) {
      assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
    }
  }

  List<Agent> agents() {
    return List.copyOf(agents);
  }

  /**
   * Every service the demo serves maps to its port; names starting with {@value #UNRESOLVABLE_PREFIX} are refused; any
   * other maps to the demo's fallback server.
   */
  private BackendResolver resolver() {
    Map<String, Endpoint> services = new HashMap<>();
    upstream.ports().forEach((service, port) -> services.put(service, Endpoint.http("127.0.0.1", port)));
    Endpoint fallback = Endpoint.http("127.0.0.1", upstream.port(DemoUpstream.FALLBACK));
    return BackendResolver.mapped(services, (service, port) -> {
      if (service.startsWith(UNRESOLVABLE_PREFIX)) {
        throw new IllegalArgumentException("service " + service + " does not resolve");
      }
      return fallback;
    });
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

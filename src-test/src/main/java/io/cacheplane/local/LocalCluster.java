package io.cacheplane.local;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Everything Cacheplane needs on one machine, in one JVM: an embedded Kubernetes API (the fabric8 mock server
 * in CRUD mode, CRDs registered), the operator, N agents (each with its own client, as separate pods would
 * have) and a {@link DemoUpstream}. Local mode and the system tests both run on it.
 */
public final class LocalCluster implements AutoCloseable {

  /** Label every local agent carries, as the chart's agents do; the examples select it. */
  public static final Map<String, String> AGENT_LABELS = Map.of("app.kubernetes.io/name", "cacheplane-agent");
  /** Services the demo upstream serves (those the examples name). */
  public static final List<String> SERVICES = List.of("products", "products-v2", "cart", DemoUpstream.FAILING);
  /**
   * Services whose name starts with this do not resolve in local mode: an agent rejects a RoutePolicy revision that
   * uses one (reason {@code ApplyFailed}), which is how local mode and the tests show a canary that is refused.
   */
  public static final String UNRESOLVABLE_PREFIX = "unresolvable";

  /** Lease duration of local agents: shorter than in a cluster (15 s) so a stopped agent counts as stale sooner. */
  public static final java.time.Duration LEASE_DURATION = java.time.Duration.ofSeconds(6);
  /** Heartbeat of local agents: counters reach the operator's analysis every second. */
  public static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(1);

  private final KubernetesMockServer server;
  private final KubernetesClient adminClient;
  private final Vertx vertx;
  private final DemoUpstream upstream;
  private final CacheplaneOperator operator;
  private final KubernetesClient operatorClient;
  private final List<Agent> agents = new ArrayList<>();
  private final List<KubernetesClient> agentClients = new ArrayList<>();
  private final String namespace;

  private LocalCluster(int agentCount, String namespace) {
    this(agentCount, namespace, OperatorSettings.defaults());
  }

  private LocalCluster(int agentCount, String namespace, OperatorSettings operatorSettings) {
    this.namespace = namespace;
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    adminClient = server.createClient();
    registerCrds(adminClient);
    adminClient.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    vertx = Vertx.vertx();
    List<String> services = new ArrayList<>(SERVICES);
    services.add(DemoUpstream.FALLBACK);
    upstream = DemoUpstream.start(vertx, services);
    operatorClient = server.createClient();
    operator = CacheplaneOperator.start(operatorClient, operatorSettings);
    for (int i = 0; i < agentCount; i++) {
      startAgent("agent-" + (char) ('a' + i % 26) + (i >= 26 ? Integer.toString(i / 26) : ""));
    }
  }

  /**
   * Starts the API, the operator, {@code agents} agents and the upstream.
   *
   * @param agents number of agents, 1..100
   * @param namespace namespace the agents serve and the examples are applied to
   */
  public static LocalCluster start(int agents, String namespace) {
    if (agents < 1 || agents > 100) {
      throw new IllegalArgumentException("agents must be between 1 and 100, got " + agents);
    }
    return new LocalCluster(agents, namespace);
  }

  /**
   * Starts the API, the operator and the upstream, but no agent: add them with {@link #startAgent} (e.g. agents whose
   * API client goes through a fault-injecting proxy).
   *
   * @param namespace namespace the agents serve
   */
  public static LocalCluster startWithoutAgents(String namespace) {
    return new LocalCluster(0, namespace);
  }

  /**
   * As {@link #startWithoutAgents(String)}, with the operator's meters in {@code operatorMeterRegistry} (e.g. a
   * Prometheus registry, to read them as Prometheus exposes them).
   */
  public static LocalCluster startWithoutAgents(String namespace,
      io.micrometer.core.instrument.MeterRegistry operatorMeterRegistry) {
    return new LocalCluster(0, namespace, OperatorSettings.defaults().withMeterRegistry(operatorMeterRegistry));
  }

  /**
   * Starts one more agent as {@link #startAgent(String, BackendResolver)} does, with two differences: its API client
   * talks to {@code apiUrl} instead of the embedded API directly (e.g. a TCP proxy in front of it, to cut the agent
   * off), and its settings go through {@code customize} last (e.g. a state directory or limits). The client is closed
   * with the cluster.
   *
   * @param apiUrl base URL of the Kubernetes API for this agent, e.g. {@code http://127.0.0.1:41235}
   * @param customize applied to the settings before the start; {@code UnaryOperator.identity()} for none
   */
  public Agent startAgent(String agentId, BackendResolver backends, String apiUrl,
      java.util.function.UnaryOperator<AgentSettings> customize) {
    KubernetesClient client = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
        .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(adminClient.getConfiguration())
            .withMasterUrl(apiUrl).build())
        .build();
    agentClients.add(client);
    return startAgent(agentId, backends, client, customize);
  }

  /** Starts one more agent with the given id (its pod name), resolving services to the demo upstream. */
  public Agent startAgent(String agentId) {
    return startAgent(agentId, resolver());
  }

  /**
   * Starts one more agent with the given id and backend resolver. As in a cluster, the agent gets a Pod object
   * (labelled {@link #AGENT_LABELS}) whose UID owns its Lease; the operator ignores Leases without a Pod.
   */
  public Agent startAgent(String agentId, BackendResolver backends) {
    KubernetesClient client = server.createClient();
    agentClients.add(client);
    return startAgent(agentId, backends, client, java.util.function.UnaryOperator.identity());
  }

  private Agent startAgent(String agentId, BackendResolver backends, KubernetesClient client,
      java.util.function.UnaryOperator<AgentSettings> customize) {
    Pod pod = adminClient.pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(agentId).withLabels(AGENT_LABELS).endMetadata()
        .withNewSpec().addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
        .build()).createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
    Agent agent = Agent.start(client, vertx, customize.apply(AgentSettings.defaults(agentId, namespace)
        .withPodLabels(AGENT_LABELS)
        .withPodUid(pod.getMetadata().getUid())
        .withLeaseDuration(LEASE_DURATION)
        .withHeartbeat(HEARTBEAT)
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(0)
        .withResolver(backends)
        .withMeterRegistry(new SimpleMeterRegistry())));
    agents.add(agent);
    return agent;
  }

  /**
   * Services resolve to the demo upstream's ports; a service the demo does not know goes to its
   * {@value DemoUpstream#FALLBACK} server, so every route of an edited example still answers.
   */
  public BackendResolver resolver() {
    Map<String, Endpoint> services = new HashMap<>();
    upstream.ports().forEach((service, port) -> services.put(service, Endpoint.http("127.0.0.1", port)));
    Endpoint fallback = Endpoint.http("127.0.0.1", upstream.port(DemoUpstream.FALLBACK));
    return BackendResolver.mapped(services, (service, port) -> {
      if (service.startsWith(UNRESOLVABLE_PREFIX)) {
        throw new IllegalArgumentException("service " + service + " does not resolve in local mode");
      }
      return fallback;
    });
  }

  /** An admin client of the embedded API (not closed by callers). */
  public KubernetesClient client() {
    return adminClient;
  }

  public String namespace() {
    return namespace;
  }

  public List<Agent> agents() {
    return List.copyOf(agents);
  }

  public DemoUpstream upstream() {
    return upstream;
  }

  /** Base URL of the embedded API, e.g. {@code http://127.0.0.1:41234}. */
  public String apiUrl() {
    return adminClient.getConfiguration().getMasterUrl();
  }

  /**
   * Writes a kubeconfig for the embedded API (context {@code cacheplane-local}, namespace set).
   *
   * @throws IOException when the file cannot be written
   */
  public Path writeKubeconfig(Path file) throws IOException {
    var config = new ConfigBuilder()
        .addNewCluster().withName("cacheplane-local").withNewCluster().withServer(apiUrl()).endCluster().endCluster()
        .addNewUser().withName("cacheplane-local").withNewUser().withToken("local").endUser().endUser()
        .addNewContext().withName("cacheplane-local").withNewContext().withCluster("cacheplane-local")
        .withUser("cacheplane-local").withNamespace(namespace).endContext().endContext()
        .withCurrentContext("cacheplane-local")
        .build();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, Serialization.asYaml(config));
    return file;
  }

  private static void registerCrds(KubernetesClient client) {
    for (String plural : List.of("cachepolicies", "routepolicies")) {
      String resource = "/META-INF/fabric8/" + plural + ".cacheplane.io-v1.yml";
      try (InputStream in = LocalCluster.class.getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("CRD " + resource + " is not on the classpath (build the api module)");
        }
        CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
        client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
      } catch (IOException e) {
        throw new IllegalStateException("cannot read CRD " + resource, e);
      }
    }
  }

  @Override
  public void close() {
    agents.forEach(Agent::close);
    operator.close();
    agentClients.forEach(KubernetesClient::close);
    operatorClient.close();
    upstream.close();
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // closing anyway
    }
    adminClient.close();
    server.destroy();
  }
}

package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.e2e.Cli;
import io.cacheplane.e2e.E2E;
import io.cacheplane.e2e.InProcessCacheplane;
import io.cacheplane.e2e.LocalControlPlane;
import io.cacheplane.e2e.LogCapture;
import io.cacheplane.e2e.ServiceAccountClients;
import io.cacheplane.local.DemoUpstream;
import io.cacheplane.local.LocalCluster;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Static stability on the real kube-apiserver 1.20 with the Helm chart's RBAC in force: the operator and three
 * agents run in this JVM as the chart's ServiceAccounts; the agents reach the apiserver through a {@link FaultProxy}
 * (TLS passes through it untouched). Two kinds of fault:
 * <ul>
 *   <li>an outage: kube-apiserver itself is stopped (etcd keeps the state) and started again on the same port with
 *       the same flags ({@link LocalControlPlane#stopApiServer()}); everyone loses the API;
 *   <li>a partition: the proxy cuts only the agents off, while the operator and the user still change policies.
 * </ul>
 * The shared control plane is always left running: the apiserver is started again in a {@code finally}.
 */
@E2E
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ApiServerOutageE2E {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(8000);

  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static final String RELEASE = "cp";
  private static final String OPERATOR_SA = RELEASE + "-cacheplane-operator";
  private static final String AGENT_SA = RELEASE + "-cacheplane-agent";
  private static final int AGENTS = 3;

  private static LocalControlPlane k8s;
  private static String ns;
  private static boolean installed;
  private static Vertx vertx;
  private static DemoUpstream upstream;
  private static FaultProxy proxy;
  private static CacheplaneOperator operator;
  private static final List<KubernetesClient> clients = new ArrayList<>();
  private static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void installTheChartAndStartTheOperatorAndThreeAgentsBehindAProxy(LocalControlPlane controlPlane) {
    k8s = controlPlane;
    ns = k8s.createNamespace("faults");
    Cli.Result install = k8s.helm("install", RELEASE, k8s.tools().chart().toString(), "-n", ns, "--skip-crds",
        "--set-json", "operator.watchNamespaces=[\"" + ns + "\"]");
    assertThat(install.exitCode()).as(install.toString()).isZero();
    installed = true;

    vertx = Vertx.vertx();
    List<String> services = new ArrayList<>(LocalCluster.SERVICES);
    services.add(DemoUpstream.FALLBACK);
    upstream = DemoUpstream.start(vertx, services);
    URI api = URI.create(k8s.client().getConfiguration().getMasterUrl());
    proxy = FaultProxy.start(vertx, "kube-apiserver", api.getHost(), api.getPort());

    KubernetesClient operatorClient = adopt(ServiceAccountClients.client(k8s, ns, OPERATOR_SA,
        "cacheplane-operator/e2e"));
    List<KubernetesClient> agentClients = new ArrayList<>();
    for (int i = 0; i < AGENTS; i++) {
      agentClients.add(adopt(new KubernetesClientBuilder().withConfig(new ConfigBuilder(
          ServiceAccountClients.config(k8s, ns, AGENT_SA, "cacheplane-agent/e2e"))
          .withMasterUrl(proxy.url("https")).build()).build()));
    }
    await("the chart's RoleBindings are in force").atMost(CONVERGE).pollInterval(Fixtures.POLL).ignoreExceptions()
        .until(() -> operatorClient.resources(CachePolicy.class).inNamespace(ns).list() != null
            && agentClients.get(0).configMaps().inNamespace(ns).list() != null
            && agentClients.get(0).leases().inNamespace(ns).withName("probe").get() == null);

    operator = CacheplaneOperator.start(operatorClient, OperatorSettings.defaults().withNamespaces(Set.of(ns))
        .withMeterRegistry(new SimpleMeterRegistry()));
    for (int i = 0; i < AGENTS; i++) {
      String podName = "agent-" + i;
      Pod pod = InProcessCacheplane.createAgentPod(k8s.client(), ns, podName);
      agents.add(Agent.start(agentClients.get(i), vertx, AgentSettings.defaults(podName, ns)
          .withPodLabels(LocalCluster.AGENT_LABELS)
          .withPodUid(pod.getMetadata().getUid())
          .withLeaseDuration(LocalCluster.LEASE_DURATION)
          .withHeartbeat(LocalCluster.HEARTBEAT)
          .withTrafficHost("127.0.0.1")
          .withTrafficPort(0)
          .withResolver(resolver())
          .withMeterRegistry(new SimpleMeterRegistry())));
    }
    Fixtures.apply(k8s.client(), ns, Fixtures.pages(10_000));
    Fixtures.apply(k8s.client(), ns, Fixtures.shop());
    for (String[] p : new String[][] {{CACHE, PAGES}, {ROUTE, Fixtures.SHOP}}) {
      String revision = Fixtures.awaitStable(k8s.client(), ns, p[0], p[1], CONVERGE);
      Fixtures.awaitServing(agents, p[0], p[1], revision, CONVERGE);
    }
  }

  @AfterAll
  static void stopAndUninstall() throws Exception {
    if (k8s != null) {
      k8s.startApiServer(); // a no-op unless a test left it stopped
    }
    agents.forEach(ApiServerOutageE2E::closeQuietly);
    if (operator != null) {
      closeQuietly(operator);
    }
    clients.forEach(ApiServerOutageE2E::closeQuietly);
    if (proxy != null) {
      proxy.close();
    }
    if (upstream != null) {
      upstream.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (k8s == null) {
      return;
    }
    Cli.Result uninstall = installed ? k8s.helm("uninstall", RELEASE, "-n", ns) : null;
    if (ns != null) {
      k8s.client().namespaces().withName(ns).delete();
    }
    if (uninstall != null) {
      assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
    }
  }

  @Test
  @Order(1)
  void agentsAnswerEveryRequestWhileKubeApiserverIsStoppedAndTakeTheNextChangeWithinSeconds() throws Exception {
    ApiFault stopStart = new ApiFault() {
      @Override
      public void cut() {
        k8s.stopApiServer();
      }

      @Override
      public void restore() {
        k8s.startApiServer();
      }

      @Override
      public String name() {
        return "kube-apiserver-stopped";
      }
    };
    try {
      String line = OutageDrill.on(new OutageDrill.Target(k8s.client(), ns, List.copyOf(agents), stopStart))
          .converge(CONVERGE)
          .outageProof(t -> assertThat(k8s.kubectl("get", "--raw", "/readyz", "--request-timeout=2s").ok())
              .as("the API is really down").isFalse())
          .run("api-outage");
      assertThat(line).contains(" failed=0 ");
    } finally {
      k8s.startApiServer();
    }
  }

  @Test
  @Order(2)
  void aPolicyDeletedWhileTheAgentsAreCutOffIsServedUntilTheyReconnectThenRemoved() {
    PartitionScenarios.applyLegacy(k8s.client(), ns, agents);
    try {
      PartitionScenarios.deletedDuringPartition(k8s.client(), ns, agents, proxy);
    } finally {
      proxy.restore();
    }
  }

  @Test
  @Order(3)
  void aRevisionPublishedWhileTheAgentsAreCutOffWinsAfterwardsAndAnOlderSequenceIsNeverApplied() {
    try {
      PartitionScenarios.newerWinsAndOlderNeverApplied(k8s.client(), ns, agents, proxy, LOGS);
    } finally {
      proxy.restore();
    }
  }

  /** Every service the demo serves maps to its port; any other to the demo's fallback server. */
  private static BackendResolver resolver() {
    Map<String, Endpoint> services = new HashMap<>();
    upstream.ports().forEach((service, port) -> services.put(service, Endpoint.http("127.0.0.1", port)));
    Endpoint fallback = Endpoint.http("127.0.0.1", upstream.port(DemoUpstream.FALLBACK));
    return BackendResolver.mapped(services, (service, port) -> fallback);
  }

  private static KubernetesClient adopt(KubernetesClient c) {
    clients.add(c);
    return c;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      System.err.println("[faults] closing " + c + ": " + e);
    }
  }
}

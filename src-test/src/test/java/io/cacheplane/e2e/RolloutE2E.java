package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Progressive rollouts on a real kube-apiserver 1.20 with the Helm chart's RBAC in force: the chart is installed
 * (operator limited to the test namespace), the operator and four agents run in this JVM as the chart's
 * ServiceAccounts. Each agent has a plain Pod object (no kubelet: made with the admin client) whose UID owns the
 * Lease the agent writes, so the operator counts it. Policies are driven only through kubectl: apply, patch,
 * annotate and wait.
 */
@E2E
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RolloutE2E {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(5000);

  private static final Duration CONVERGE = Duration.ofSeconds(90);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String RELEASE = "cp";
  private static final int AGENTS = 4;
  private static final String UNRESOLVABLE_PREFIX = InProcessCacheplane.UNRESOLVABLE_PREFIX;

  private static LocalControlPlane k8s;
  private static String ns;
  private static boolean installed;
  private static InProcessCacheplane cacheplane;
  private static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void installTheChartAndStartTheOperatorAndFourAgents(LocalControlPlane controlPlane) {
    k8s = controlPlane;
    ns = k8s.createNamespace("rollout");
    InProcessCacheplane.installChart(k8s, RELEASE, ns);
    installed = true;

    cacheplane = new InProcessCacheplane();
    InProcessCacheplane.ChartClients clients = cacheplane.chartClients(k8s, RELEASE, ns, AGENTS, CONVERGE);
    KubernetesClient operatorClient = clients.operator();
    List<KubernetesClient> agentClients = clients.agents();

    cacheplane.startOperator(operatorClient, Set.of(ns));
    agents.addAll(cacheplane.startChartAgents(k8s.client(), ns, agentClients, CONVERGE));
  }

  @AfterAll
  static void stopAndUninstall() {
    if (cacheplane != null) {
      cacheplane.close(); // agents, operator, clients
    }
    if (k8s != null) {
      InProcessCacheplane.uninstallChart(k8s, RELEASE, ns, installed);
    }
  }

  @Test
  @Order(1)
  void aPausedCanaryServesOneAgentOfFourUntilPromoted() {
    Cli.Result apply = k8s.kubectlWithInput("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: canary-pages
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          cache:
            maximumSize: 100
            expireAfterWrite: 5m
          rollout:
            steps: [{setWeight: 25}, {pause: {}}, {setWeight: 100}]
        """, "apply", "-n", ns, "-f", "-");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    annotate("cachepolicy/canary-pages", "cacheplane.io/promote-full=create");
    kubectlWaitReady("cachepolicy/canary-pages", "90s", true);
    String rev1 = status(cachePolicy("canary-pages")).getStableRevision();
    assertThat(rev1).matches("[0-9a-f]{16}");
    awaitServing("CachePolicy", "canary-pages", rev1, AGENTS);

    Cli.Result patch = k8s.kubectl("patch", "-n", ns, "cachepolicy/canary-pages", "--type", "merge",
        "-p", "{\"spec\":{\"cache\":{\"maximumSize\":200}}}");
    assertThat(patch.exitCode()).as(patch.toString()).isZero();
    await("Paused at 25% with one agent on the canary").atMost(CONVERGE).pollInterval(POLL).untilAsserted(() -> {
      PolicyStatus s = status(cachePolicy("canary-pages"));
      assertThat(s.getPhase()).isEqualTo(PolicyPhase.Paused);
      assertThat(s.getCanaryWeight()).isEqualTo(25);
      assertThat(s.getCanaryRevision()).matches("[0-9a-f]{16}").isNotEqualTo(rev1);
      assertThat(serving("CachePolicy", "canary-pages", s.getCanaryRevision())).hasSize(1);
      assertThat(serving("CachePolicy", "canary-pages", rev1)).hasSize(AGENTS - 1);
    });
    String rev2 = status(cachePolicy("canary-pages")).getCanaryRevision();
    assertThat(status(cachePolicy("canary-pages")).getStableRevision()).isEqualTo(rev1);
    assertThat(condition(status(cachePolicy("canary-pages")), "Ready"))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));

    annotate("cachepolicy/canary-pages", "cacheplane.io/promote=t1");
    awaitServing("CachePolicy", "canary-pages", rev2, AGENTS);
    kubectlWaitReady("cachepolicy/canary-pages", "90s", true);
    await("stableRevision is the promoted one").atMost(CONVERGE).pollInterval(POLL).untilAsserted(() -> {
      PolicyStatus s = status(cachePolicy("canary-pages"));
      assertThat(s.getStableRevision()).isEqualTo(rev2);
      assertThat(condition(s, "Ready")).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
    });
    for (Agent agent : agents) {
      assertThat(agent.cache("canary-pages").maximum()).as(agent.settings().agentId()).isEqualTo(200L);
    }
  }

  @Test
  @Order(2)
  void aCanaryAgentThatCannotResolveTheBackendRollsEveryAgentBack() {
    Cli.Result apply = k8s.kubectlWithInput("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: nack-routes
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          routes:
          - name: main
            match: {pathPrefix: /r}
            backends: [{service: products, port: 8080}]
            timeout: 2s
          rollout:
            steps: [{setWeight: 50}, {pause: {}}, {setWeight: 100}]
        """, "apply", "-n", ns, "-f", "-");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    annotate("routepolicy/nack-routes", "cacheplane.io/promote-full=create");
    kubectlWaitReady("routepolicy/nack-routes", "90s", true);
    String rev1 = status(routePolicy("nack-routes")).getStableRevision();
    assertThat(rev1).matches("[0-9a-f]{16}");
    awaitServing("RoutePolicy", "nack-routes", rev1, AGENTS);

    Cli.Result patch = k8s.kubectl("patch", "-n", ns, "routepolicy/nack-routes", "--type", "json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/routes/0/backends/0/service\",\"value\":\""
            + UNRESOLVABLE_PREFIX + "-x\"}]");
    assertThat(patch.exitCode()).as(patch.toString()).isZero();
    await("Degraded, RolledBack, naming an agent").atMost(CONVERGE).pollInterval(POLL).untilAsserted(() -> {
      PolicyStatus s = status(routePolicy("nack-routes"));
      assertThat(s.getPhase()).isEqualTo(PolicyPhase.Degraded);
      assertThat(condition(s, "Degraded")).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("True");
        assertThat(c.getReason()).isEqualTo("RolledBack");
        assertThat(c.getMessage()).containsPattern("agent-[0-3]");
      });
      assertThat(condition(s, "Ready")).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("RolledBack");
      });
    });
    kubectlWaitReady("routepolicy/nack-routes", "5s", false);
    awaitServing("RoutePolicy", "nack-routes", rev1, AGENTS);
    assertThat(status(routePolicy("nack-routes")).getStableRevision()).isEqualTo(rev1);
  }

  // ---- helpers --------------------------------------------------------------------------------------------------



  private static void annotate(String resource, String annotation) {
    Cli.Result r = k8s.kubectl("annotate", "--overwrite", "-n", ns, resource, annotation);
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  private static void kubectlWaitReady(String resource, String timeout, boolean expectMet) {
    Cli.Result wait = k8s.kubectl("wait", "-n", ns, "--for=condition=Ready", resource, "--timeout=" + timeout);
    if (expectMet) {
      assertThat(wait.exitCode()).as(wait.toString()).isZero();
    } else {
      assertThat(wait.exitCode()).as("kubectl wait must fail: " + wait).isNotZero();
    }
  }

  private static void awaitServing(String kind, String name, String revision, int count) {
    await("%d agents serve %s %s %s".formatted(count, kind, name, revision)).atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(serving(kind, name, revision)).hasSize(count));
  }

  private static Set<String> serving(String kind, String name, String revision) {
    return agents.stream().filter(a -> revision.equals(appliedRevision(a, kind, name)))
        .map(a -> a.settings().agentId()).collect(Collectors.toSet());
  }

  private static String appliedRevision(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name()))
        .map(PolicyState::appliedRevision).findFirst().orElse(null);
  }

  private static CachePolicy cachePolicy(String name) {
    return k8s.client().resources(CachePolicy.class).inNamespace(ns).withName(name).get();
  }

  private static RoutePolicy routePolicy(String name) {
    return k8s.client().resources(RoutePolicy.class).inNamespace(ns).withName(name).get();
  }

  private static PolicyStatus status(HasMetadata policy) {
    assertThat(policy).as("policy").isNotNull();
    PolicyStatus status = policy instanceof CachePolicy c ? c.getStatus() : ((RoutePolicy) policy).getStatus();
    assertThat(status).as("status of %s %s", policy.getKind(), policy.getMetadata().getName()).isNotNull();
    return status;
  }

  private static Optional<Condition> condition(PolicyStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }
}

package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacheplane.agent.Agent;
import io.cacheplane.operator.events.RolloutEvents;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Kubernetes Events of rollout transitions as {@code kubectl get events} shows them on a real kube-apiserver 1.20,
 * with the Helm chart's RBAC in force (the operator writes Events as the chart's ServiceAccount). Set up as
 * {@link RolloutE2E}: the chart installed into a fresh namespace, the operator and two agents in this JVM as the
 * chart's ServiceAccounts, each agent with a plain Pod owning its Lease. A canary that completes leaves Normal Events
 * {@code RolloutStarted}, {@code StepAdvanced} and {@code RolloutCompleted} on the policy; a canary the agents reject
 * leaves a Warning {@code RolledBack}.
 */
@E2E
class RolloutEventsE2E {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(5000);

  private static final Duration CONVERGE = Duration.ofSeconds(30);
  private static final Duration POLL = Duration.ofMillis(250);
  private static final String RELEASE = "cp";
  private static final int AGENTS = 2;
  private static final String UNRESOLVABLE_PREFIX = InProcessCacheplane.UNRESOLVABLE_PREFIX;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static LocalControlPlane k8s;
  private static String ns;
  private static boolean installed;
  private static InProcessCacheplane cacheplane;
  private static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void installTheChartAndStartTheOperatorAndTwoAgents(LocalControlPlane controlPlane) {
    k8s = controlPlane;
    ns = k8s.createNamespace("events");
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
  void aCanaryThatCompletesLeavesStartedStepAdvancedAndCompletedEventsOnThePolicy() throws Exception {
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: evented-pages
          annotations: {cacheplane.io/promote-full: create}
        spec:
          cache: {maximumSize: 100, expireAfterWrite: 5m}
          rollout:
            steps: [{setWeight: 50}, {setWeight: 100}]
        """);
    waitReady("cachepolicy/evented-pages");
    await("the first revision, promoted in full on creation").atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(reasons(events("evented-pages")))
            .contains("RolloutStarted", "PromotedFull", "RolloutCompleted"));
    Set<String> before = names(events("evented-pages"));

    patch("cachepolicy/evented-pages", "{\"spec\":{\"cache\":{\"maximumSize\":200}}}");
    await("RolloutStarted, StepAdvanced and RolloutCompleted Events").atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(reasons(newEvents("evented-pages", before)))
            .contains("RolloutStarted", "StepAdvanced", "RolloutCompleted"));
    List<JsonNode> events = newEvents("evented-pages", before);
    for (JsonNode e : events) {
      String reason = e.path("reason").asText();
      if (Set.of("RolloutStarted", "StepAdvanced", "RolloutCompleted").contains(reason)) {
        assertThat(e.path("type").asText()).as(reason).isEqualTo("Normal");
        assertThat(e.path("involvedObject").path("kind").asText()).as(reason).isEqualTo("CachePolicy");
        assertThat(e.path("involvedObject").path("apiVersion").asText()).as(reason)
            .isEqualTo("cacheplane.io/v1alpha1");
        assertThat(e.path("involvedObject").path("uid").asText()).as(reason).isEqualTo(uid("cachepolicy",
            "evented-pages"));
        assertThat(e.path("source").path("component").asText()).as(reason).isEqualTo(RolloutEvents.COMPONENT);
        assertThat(e.path("message").asText()).as(reason).isNotBlank();
      }
    }
    assertThat(firstIndex(events, "RolloutStarted")).as("started before completed")
        .isLessThan(firstIndex(events, "RolloutCompleted"));
    assertThat(reasons(events)).doesNotContain("RolledBack", "PromotedFull");
  }

  @Test
  void aCanaryTheAgentsRejectLeavesARolledBackWarning() throws Exception {
    apply("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: evented-routes
          annotations: {cacheplane.io/promote-full: create}
        spec:
          routes:
          - name: main
            match: {pathPrefix: /r}
            backends: [{service: products, port: 8080}]
          rollout:
            steps: [{setWeight: 50}, {pause: {}}, {setWeight: 100}]
        """);
    waitReady("routepolicy/evented-routes");
    await("the first revision completed").atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(reasons(events("evented-routes"))).contains("RolloutCompleted"));
    Set<String> before = names(events("evented-routes"));
    Cli.Result patch = k8s.kubectl("patch", "-n", ns, "routepolicy/evented-routes", "--type", "json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/routes/0/backends/0/service\",\"value\":\""
            + UNRESOLVABLE_PREFIX + "-x\"}]");
    assertThat(patch.exitCode()).as(patch.toString()).isZero();
    await("a RolledBack Event").atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(reasons(newEvents("evented-routes", before))).contains("RolledBack"));
    JsonNode rolledBack = newEvents("evented-routes", before).stream()
        .filter(e -> "RolledBack".equals(e.path("reason").asText())).findFirst().orElseThrow();
    assertThat(rolledBack.path("type").asText()).isEqualTo("Warning");
    assertThat(rolledBack.path("involvedObject").path("kind").asText()).isEqualTo("RoutePolicy");
    assertThat(rolledBack.path("involvedObject").path("name").asText()).isEqualTo("evented-routes");
    assertThat(rolledBack.path("message").asText()).isNotBlank();
    assertThat(reasons(newEvents("evented-routes", before))).as("the canary started, never completed")
        .contains("RolloutStarted").doesNotContain("RolloutCompleted");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** The Events of a policy, oldest first, read with {@code kubectl get events --field-selector}. */
  private static List<JsonNode> events(String policy) throws Exception {
    Cli.Result r = k8s.kubectl("get", "events", "-n", ns, "--field-selector", "involvedObject.name=" + policy,
        "-o", "json");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<JsonNode> out = new ArrayList<>();
    JSON.readTree(r.stdout()).path("items").forEach(out::add);
    out.sort((a, b) -> a.path("firstTimestamp").asText().compareTo(b.path("firstTimestamp").asText()) != 0
        ? a.path("firstTimestamp").asText().compareTo(b.path("firstTimestamp").asText())
        : a.path("metadata").path("name").asText().compareTo(b.path("metadata").path("name").asText()));
    return out;
  }

  /** The Events of a policy not named in {@code before}, oldest first. */
  private static List<JsonNode> newEvents(String policy, Set<String> before) throws Exception {
    return events(policy).stream().filter(e -> !before.contains(e.path("metadata").path("name").asText())).toList();
  }

  private static Set<String> names(List<JsonNode> events) {
    return events.stream().map(e -> e.path("metadata").path("name").asText()).collect(Collectors.toSet());
  }

  private static List<String> reasons(List<JsonNode> events) {
    return events.stream().map(e -> e.path("reason").asText()).toList();
  }

  private static int firstIndex(List<JsonNode> events, String reason) {
    return reasons(events).indexOf(reason);
  }

  private static String uid(String resource, String name) {
    Cli.Result r = k8s.kubectl("get", "-n", ns, resource, name, "-o", "jsonpath={.metadata.uid}");
    assertThat(r.exitCode()).as(r.toString()).isZero();
    return r.stdout().trim();
  }

  private static void apply(String yaml) {
    Cli.Result r = k8s.kubectlWithInput(yaml, "apply", "-n", ns, "-f", "-");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  private static void patch(String resource, String mergePatch) {
    Cli.Result r = k8s.kubectl("patch", "-n", ns, resource, "--type", "merge", "-p", mergePatch);
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

  private static void waitReady(String resource) {
    Cli.Result r = k8s.kubectl("wait", "-n", ns, "--for=condition=Ready", resource, "--timeout=30s");
    assertThat(r.exitCode()).as(r.toString()).isZero();
  }

}

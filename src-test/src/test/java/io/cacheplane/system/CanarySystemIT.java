package io.cacheplane.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.Revisions;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.local.LocalCluster;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Progressive rollouts end to end on the mock server: the operator and ten real agents in one JVM, each agent
 * with its own client, Pod object and Lease. Policies are driven only through the Kubernetes API (spec edits and
 * control annotations); what agents serve is read from the agents themselves.
 */
class CanarySystemIT {

  private static final String NS = "default";
  private static final int AGENTS = 10;
  private static final Duration CONVERGE = Duration.ofSeconds(45);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(AGENTS, NS);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aThreeStepCanaryRunsToCompletionWithStickyCohorts() {
    String steps = "rollout: {steps: [{setWeight: 20}, {pause: {}}, {setWeight: 50}, {pause: {}}, {setWeight: 100}]}";
    CachePolicy v1 = cachePolicy("canary-pages", "maximumSize: 100", steps);
    create(v1);
    annotate(CachePolicy.class, "canary-pages", "cacheplane.io/promote-full", "create");
    String rev1 = revision(v1);
    awaitEveryAgentServes("CachePolicy", "canary-pages", rev1);
    awaitReady(CachePolicy.class, "canary-pages");

    edit(CachePolicy.class, "canary-pages", p -> p.getSpec().getCache().setMaximumSize(200L));
    String rev2 = revision(get(CachePolicy.class, "canary-pages"));
    await().atMost(CONVERGE).untilAsserted(() -> {
      PolicyStatus s = get(CachePolicy.class, "canary-pages").getStatus();
      assertThat(s.getPhase()).isEqualTo(PolicyPhase.Paused);
      assertThat(s.getCanaryWeight()).isEqualTo(20);
      assertThat(s.getCanaryRevision()).isEqualTo(rev2);
      assertThat(serving("CachePolicy", "canary-pages", rev2)).hasSize(2);
    });
    Set<String> firstCohort = serving("CachePolicy", "canary-pages", rev2);
    assertThat(serving("CachePolicy", "canary-pages", rev1)).hasSize(AGENTS - 2);
    assertThat(condition(get(CachePolicy.class, "canary-pages").getStatus(), "Ready"))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("False"));

    annotate(CachePolicy.class, "canary-pages", "cacheplane.io/promote", "step-1");
    await().atMost(CONVERGE).untilAsserted(() -> {
      PolicyStatus s = get(CachePolicy.class, "canary-pages").getStatus();
      assertThat(s.getCanaryWeight()).isEqualTo(50);
      assertThat(s.getPhase()).isEqualTo(PolicyPhase.Paused);
      assertThat(serving("CachePolicy", "canary-pages", rev2)).hasSize(5);
    });
    assertThat(serving("CachePolicy", "canary-pages", rev2)).as("raising the weight never moves an agent back")
        .containsAll(firstCohort);

    annotate(CachePolicy.class, "canary-pages", "cacheplane.io/promote", "step-2");
    awaitEveryAgentServes("CachePolicy", "canary-pages", rev2);
    awaitReady(CachePolicy.class, "canary-pages");
    PolicyStatus done = get(CachePolicy.class, "canary-pages").getStatus();
    assertThat(done.getStableRevision()).isEqualTo(rev2);
    assertThat(done.getCanaryRevision()).isNull();
    assertThat(done.getAgents().getStable()).isEqualTo(AGENTS);
    assertThat(done.getHistory()).anySatisfy(h -> {
      assertThat(h.getRevision()).isEqualTo(rev2);
      assertThat(h.getOutcome()).isEqualTo("Promoted");
    });
  }

  @Test
  void aCanaryAgentThatRejectsTheRevisionRollsEveryAgentBack() {
    RoutePolicy v1 = routePolicy("nack-routes", "/nack", "products",
        "rollout: {steps: [{setWeight: 30}, {pause: {}}, {setWeight: 100}]}");
    create(v1);
    annotate(RoutePolicy.class, "nack-routes", "cacheplane.io/promote-full", "create");
    String rev1 = revision(v1);
    awaitEveryAgentServes("RoutePolicy", "nack-routes", rev1);

    edit(RoutePolicy.class, "nack-routes",
        p -> p.getSpec().getRoutes().get(0).getBackends().get(0).setService(LocalCluster.UNRESOLVABLE_PREFIX + "-x"));
    await().atMost(CONVERGE).untilAsserted(() -> {
      PolicyStatus s = get(RoutePolicy.class, "nack-routes").getStatus();
      assertThat(s.getPhase()).isEqualTo(PolicyPhase.Degraded);
      assertThat(condition(s, "Degraded")).hasValueSatisfying(c -> {
        assertThat(c.getReason()).isEqualTo("RolledBack");
        assertThat(c.getMessage()).containsPattern("agent-[a-j]");
      });
      assertThat(condition(s, "Ready")).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("RolledBack");
      });
    });
    awaitEveryAgentServes("RoutePolicy", "nack-routes", rev1);
    assertThat(envelope("routepolicy-nack-routes")).as("the rollback publishes the stable revision only")
        .doesNotContain("canary:");
    assertThat(get(RoutePolicy.class, "nack-routes").getStatus().getStableRevision()).isEqualTo(rev1);
  }

  @Test
  void canaryAgentsAnswering5xxAboveTheLimitRollBack() throws Exception {
    RoutePolicy v1 = routePolicy("flaky-routes", "/flaky", "products", """
        rollout:
          steps: [{setWeight: 50}, {pause: {duration: 5m}}, {setWeight: 100}]
          analysis: {interval: 2s, maxErrorRate: 0.2, minRequests: 5, failureLimit: 0}
        """);
    create(v1);
    annotate(RoutePolicy.class, "flaky-routes", "cacheplane.io/promote-full", "create");
    String rev1 = revision(v1);
    awaitEveryAgentServes("RoutePolicy", "flaky-routes", rev1);

    edit(RoutePolicy.class, "flaky-routes",
        p -> p.getSpec().getRoutes().get(0).getBackends().get(0).setService(io.cacheplane.local.DemoUpstream.FAILING));
    AtomicBoolean rolledBack = new AtomicBoolean();
    Thread traffic = new Thread(() -> sendTraffic("/flaky", rolledBack), "traffic");
    traffic.start();
    try {
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
        PolicyStatus s = get(RoutePolicy.class, "flaky-routes").getStatus();
        assertThat(condition(s, "Degraded")).hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("True");
          assertThat(c.getReason()).isEqualTo("RolledBack");
          assertThat(c.getMessage()).containsIgnoringCase("error rate");
        });
      });
    } finally {
      rolledBack.set(true);
      traffic.join(Duration.ofSeconds(30).toMillis());
    }
    awaitEveryAgentServes("RoutePolicy", "flaky-routes", rev1);
    for (Agent agent : cluster.agents()) {
      assertThat(get(agent, "/flaky").statusCode()).as("stable backend again").isEqualTo(200);
    }
  }

  @Test
  void threeEditsInASecondConvergeOnTheLastWithoutAThirdRevisionInTheMix() {
    String steps = "rollout: {steps: [{setWeight: 50}, {pause: {duration: 1s}}, {setWeight: 100}]}";
    create(cachePolicy("edits", "maximumSize: 100", steps));
    annotate(CachePolicy.class, "edits", "cacheplane.io/promote-full", "create");
    awaitReady(CachePolicy.class, "edits");
    for (long size : List.of(101L, 102L, 103L)) {
      edit(CachePolicy.class, "edits", p -> p.getSpec().getCache().setMaximumSize(size));
    }
    String last = revision(get(CachePolicy.class, "edits"));
    await().atMost(CONVERGE).untilAsserted(() -> {
      Set<String> mix = cluster.agents().stream().map(a -> servingRevision(a, "CachePolicy", "edits"))
          .filter(r -> r != null).collect(Collectors.toSet());
      assertThat(mix.size()).as("agents never run a mix of three revisions").isLessThanOrEqualTo(2);
      assertThat(mix).containsExactly(last);
      assertThat(get(CachePolicy.class, "edits").getStatus().getStableRevision()).isEqualTo(last);
    });
    awaitReady(CachePolicy.class, "edits");
  }

  private static void sendTraffic(String path, AtomicBoolean stop) {
    Instant until = Instant.now().plusSeconds(60);
    while (!stop.get() && Instant.now().isBefore(until)) {
      for (Agent agent : cluster.agents()) {
        try {
          get(agent, path);
        } catch (IOException e) {
          // counted by the agent if it answered; the loop is bounded by time
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private static CachePolicy cachePolicy(String name, String cache, String rollout) {
    return Json.JSON.convertValue(yaml("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata: {name: %s, namespace: %s}
        spec:
          cache: {%s, expireAfterWrite: 5m}
          %s
        """.formatted(name, NS, cache, rollout)), CachePolicy.class);
  }

  private static RoutePolicy routePolicy(String name, String prefix, String service, String rollout) {
    return Json.JSON.convertValue(yaml("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata: {name: %s, namespace: %s}
        spec:
          routes:
          - name: main
            match: {pathPrefix: %s}
            backends: [{service: %s, port: 8080}]
            timeout: 2s
        %s
        """.formatted(name, NS, prefix, service, rollout.indent(2))), RoutePolicy.class);
  }

  private static Object yaml(String text) {
    try {
      return Json.YAML.readValue(text, Object.class);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static String revision(CustomResource<? extends io.cacheplane.api.v1alpha1.PolicySpec, ?> policy) {
    return Revisions.of(Revisions.executableSpec(policy.getSpec()));
  }

  private static void create(CachePolicy policy) {
    cluster.client().resources(CachePolicy.class).inNamespace(NS).resource(policy).create();
  }

  private static void create(RoutePolicy policy) {
    cluster.client().resources(RoutePolicy.class).inNamespace(NS).resource(policy).create();
  }

  private static <T extends CustomResource<?, PolicyStatus>> T get(Class<T> type, String name) {
    return cluster.client().resources(type).inNamespace(NS).withName(name).get();
  }

  /** Edits like {@code kubectl edit}: on a conflict with the operator's status write, read again and retry. */
  private static <T extends CustomResource<?, PolicyStatus>> void edit(Class<T> type, String name, Consumer<T> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        cluster.client().resources(type).inNamespace(NS).withName(name).edit(p -> {
          change.accept(p);
          return p;
        });
        return;
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static <T extends CustomResource<?, PolicyStatus>> void annotate(Class<T> type, String name, String key,
      String token) {
    edit(type, name, p -> {
      Map<String, String> annotations = p.getMetadata().getAnnotations() == null
          ? new HashMap<>() : new HashMap<>(p.getMetadata().getAnnotations());
      annotations.put(key, token);
      p.getMetadata().setAnnotations(annotations);
    });
  }

  private static <T extends CustomResource<?, PolicyStatus>> void awaitReady(Class<T> type, String name) {
    await().atMost(CONVERGE).untilAsserted(() -> assertThat(condition(get(type, name).getStatus(), "Ready"))
        .hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True")));
  }

  private static void awaitEveryAgentServes(String kind, String name, String revision) {
    await().atMost(CONVERGE).untilAsserted(() -> assertThat(serving(kind, name, revision)).hasSize(AGENTS));
  }

  private static Set<String> serving(String kind, String name, String revision) {
    return cluster.agents().stream().filter(a -> revision.equals(servingRevision(a, kind, name)))
        .map(a -> a.settings().agentId()).collect(Collectors.toSet());
  }

  private static String servingRevision(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name()))
        .map(PolicyState::appliedRevision).findFirst().orElse(null);
  }

  private static String envelope(String configMap) {
    return cluster.client().configMaps().inNamespace(NS).withName(configMap).get().getData()
        .get(io.cacheplane.api.contract.Envelope.DATA_KEY);
  }

  private static Optional<Condition> condition(PolicyStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static HttpResponse<String> get(Agent agent, String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + path))
        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

}

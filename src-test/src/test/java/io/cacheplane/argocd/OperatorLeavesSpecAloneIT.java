package io.cacheplane.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What makes the operator safe under Argo CD's self-heal: it never writes a policy's spec or metadata, only its
 * {@code status} subresource, its own ConfigMaps and Events; and the ConfigMaps it generates never carry the policy's
 * labels or annotations, so never Argo CD's tracking label or annotation.
 *
 * <p>The operator runs in process ({@link CacheplaneOperator#start}) against the fabric8 mock server with two real
 * agents (Pod objects and Leases, as in a cluster). Its API client records every request it sends (an HTTP client
 * interceptor), so the assertions cover every write, not a sample. The policies carry Argo CD's tracking label
 * and annotation, and go through creation, an indefinite pause, a promote, a spec edit with a second rollout, and a
 * RoutePolicy that is Degraded (missing CachePolicy).
 */
class OperatorLeavesSpecAloneIT {

  private static final String NS = "gitops";
  private static final Duration CONVERGE = Duration.ofSeconds(45);
  private static final Map<String, String> AGENT_LABELS = Map.of("app.kubernetes.io/name", "cacheplane-agent");
  /** What Argo CD puts on the objects it applies (label tracking, annotation tracking). */
  private static final Map<String, String> ARGO_LABELS = Map.of("app.kubernetes.io/instance", "cacheplane-policies");
  private static final Map<String, String> ARGO_ANNOTATIONS = Map.of("argocd.argoproj.io/tracking-id",
      "cacheplane-policies:cacheplane.io/CachePolicy:gitops/pages");
  private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

  /** One request of the operator's client: method and path (without the query). */
  private record Request(String method, String path) {}

  private static final ConcurrentLinkedQueue<Request> operatorRequests = new ConcurrentLinkedQueue<>();
  private static KubernetesMockServer server;
  private static KubernetesClient admin;
  private static KubernetesClient operatorClient;
  private static CacheplaneOperator operator;
  private static Vertx vertx;
  private static final List<Agent> agents = new ArrayList<>();
  private static final List<KubernetesClient> agentClients = new ArrayList<>();

  @BeforeAll
  static void start() throws IOException {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(List.of()), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    admin = server.createClient();
    registerCrds();
    admin.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
    Interceptor recorder = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        operatorRequests.add(new Request(request.method(), request.uri().getPath()));
      }
    };
    operatorClient = new KubernetesClientBuilder().withConfig(admin.getConfiguration())
        .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("record-requests", recorder)).build();
    operator = CacheplaneOperator.start(operatorClient, OperatorSettings.defaults());
    vertx = Vertx.vertx();
    for (String id : List.of("agent-a", "agent-b")) {
      startAgent(id);
    }
  }

  @AfterAll
  static void stop() {
    agents.forEach(Agent::close);
    if (operator != null) {
      operator.close();
    }
    agentClients.forEach(KubernetesClient::close);
    if (operatorClient != null) {
      operatorClient.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).exceptionally(e -> null)
          .join();
    }
    if (admin != null) {
      admin.close();
    }
    if (server != null) {
      server.destroy();
    }
  }

  @Test
  void theOperatorWritesOnlyStatusConfigMapsAndEventsAndNeverTheSpec() {
    CachePolicy pages = Serialization.unmarshal("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: pages
        spec:
          agentSelector: {matchLabels: {app.kubernetes.io/name: cacheplane-agent}}
          cache: {maximumSize: 100, expireAfterWrite: 1m}
          rollout: {steps: [{setWeight: 50}, {pause: {}}, {setWeight: 100}]}
        """, CachePolicy.class);
    pages.getMetadata().setLabels(ARGO_LABELS);
    pages.getMetadata().setAnnotations(ARGO_ANNOTATIONS);
    RoutePolicy routes = Serialization.unmarshal("""
        apiVersion: cacheplane.io/v1alpha1
        kind: RoutePolicy
        metadata:
          name: storefront
        spec:
          routes:
          - name: products
            match: {pathPrefix: /api/products}
            backends: [{service: products, port: 8080}]
            cachePolicyRef: no-such-cache
        """, RoutePolicy.class);
    routes.getMetadata().setLabels(ARGO_LABELS);

    admin.resources(CachePolicy.class).inNamespace(NS).resource(pages).create();
    admin.resources(RoutePolicy.class).inNamespace(NS).resource(routes).create();

    // Creation goes through the strategy: the first step, then an indefinite pause.
    awaitPhase(CachePolicy.class, "pages", PolicyPhase.Paused, PolicyConditions.AWAITING_PROMOTE);
    annotate("pages", "cacheplane.io/promote-full", "create");
    awaitReady("pages");
    // A spec edit (a new generation) rolls out again: canary, pause, promote.
    edit("pages", p -> p.getSpec().getCache().setMaximumSize(200L));
    awaitPhase(CachePolicy.class, "pages", PolicyPhase.Paused, PolicyConditions.AWAITING_PROMOTE);
    annotate("pages", "cacheplane.io/promote", "step-1");
    awaitReady("pages");
    awaitPhase(RoutePolicy.class, "storefront", PolicyPhase.Degraded, PolicyConditions.CACHE_POLICY_NOT_FOUND);

    CachePolicy live = admin.resources(CachePolicy.class).inNamespace(NS).withName("pages").get();
    assertThat(live.getMetadata().getGeneration()).as("one create and one spec edit: generation 2").isEqualTo(2L);
    assertThat(live.getStatus().getObservedGeneration()).isEqualTo(2L);
    assertThat(live.getSpec().getCache().getMaximumSize()).isEqualTo(200L);
    assertThat(live.getSpec().getRollout().getSteps()).hasSize(3);
    assertThat(live.getMetadata().getLabels()).isEqualTo(ARGO_LABELS);
    assertThat(live.getMetadata().getFinalizers()).as("no finalizer added by the operator").isNullOrEmpty();
    RoutePolicy liveRoutes = admin.resources(RoutePolicy.class).inNamespace(NS).withName("storefront").get();
    assertThat(liveRoutes.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(Serialization.asJson(liveRoutes.getSpec())).isEqualTo(Serialization.asJson(routes.getSpec()));

    List<Request> writes = operatorRequests.stream().filter(r -> WRITES.contains(r.method())).toList();
    assertThat(writes).as("the operator wrote something").isNotEmpty();
    assertThat(writes).as("operator writes to policies").filteredOn(r -> r.path().contains("/cacheplane.io/"))
        .isNotEmpty()
        .allSatisfy(r -> assertThat(r.path()).as("%s %s", r.method(), r.path()).endsWith("/status"));
    assertThat(writes).as("every operator write").allSatisfy(r -> assertThat(r.path())
        .as("%s %s", r.method(), r.path())
        .matches(p -> p.endsWith("/status") && p.contains("/apis/cacheplane.io/v1alpha1/namespaces/" + NS + "/")
            || p.contains("/api/v1/namespaces/" + NS + "/configmaps")
            || p.contains("/api/v1/namespaces/" + NS + "/events"), "a policy's status, a ConfigMap or an Event"));
  }

  @Test
  void generatedConfigMapsCarryOnlyTheOperatorsLabelsNeverArgoCdTracking() {
    CachePolicy tracked = Serialization.unmarshal("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: tracked
        spec:
          agentSelector: {matchLabels: {app.kubernetes.io/name: cacheplane-agent}}
          cache: {maximumSize: 10}
          rollout: {steps: [{setWeight: 100}]}
        """, CachePolicy.class);
    tracked.getMetadata().setLabels(ARGO_LABELS);
    tracked.getMetadata().setAnnotations(ARGO_ANNOTATIONS);

    admin.resources(CachePolicy.class).inNamespace(NS).resource(tracked).create();
    awaitReady("tracked");

    ConfigMap published = admin.configMaps().inNamespace(NS).withName("cachepolicy-tracked").get();
    assertThat(published.getMetadata().getLabels().keySet()).containsExactlyInAnyOrder("cacheplane.io/kind",
        "cacheplane.io/policy-uid", "cacheplane.io/policy", "app.kubernetes.io/managed-by");
    assertThat(Optional.ofNullable(published.getMetadata().getAnnotations()).orElse(Map.of()).keySet())
        .noneMatch(key -> key.startsWith("argocd.argoproj.io/"));
    assertThat(published.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind()).isEqualTo("CachePolicy"));
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  private static void startAgent(String id) {
    Pod pod = admin.pods().inNamespace(NS).resource(new PodBuilder()
        .withNewMetadata().withName(id).withLabels(AGENT_LABELS).endMetadata()
        .withNewSpec().addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
        .build()).createOr(NonDeletingOperation::update);
    KubernetesClient client = server.createClient();
    agentClients.add(client);
    agents.add(Agent.start(client, vertx, AgentSettings.defaults(id, NS)
        .withPodLabels(AGENT_LABELS)
        .withPodUid(pod.getMetadata().getUid())
        .withLeaseDuration(Duration.ofSeconds(6))
        .withHeartbeat(Duration.ofSeconds(1))
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(0)
        .withResolver(BackendResolver.mapped(Map.of(), (service, port) -> Endpoint.http("127.0.0.1", port)))
        .withMeterRegistry(new SimpleMeterRegistry())));
  }

  private static void registerCrds() throws IOException {
    for (String plural : List.of("cachepolicies", "routepolicies")) {
      try (InputStream in = CachePolicy.class.getResourceAsStream("/META-INF/fabric8/" + plural
          + ".cacheplane.io-v1.yml")) {
        assertThat(in).as("CRD %s on the classpath", plural).isNotNull();
        admin.apiextensions().v1().customResourceDefinitions()
            .resource(Serialization.unmarshal(in, CustomResourceDefinition.class)).create();
      }
    }
  }

  private static <T extends CustomResource<?, PolicyStatus>> void awaitPhase(Class<T> type, String name,
      PolicyPhase phase, String reason) {
    await().atMost(CONVERGE).untilAsserted(() -> {
      PolicyStatus status = admin.resources(type).inNamespace(NS).withName(name).get().getStatus();
      assertThat(status).isNotNull();
      assertThat(status.getPhase()).isEqualTo(phase);
      assertThat(status.getConditions()).extracting(Condition::getReason).contains(reason);
    });
  }

  private static void awaitReady(String name) {
    await().atMost(CONVERGE).untilAsserted(() -> {
      PolicyStatus status = admin.resources(CachePolicy.class).inNamespace(NS).withName(name).get().getStatus();
      assertThat(status).isNotNull();
      assertThat(status.getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo(PolicyConditions.READY);
        assertThat(c.getStatus()).isEqualTo("True");
      });
    });
  }

  private static void annotate(String name, String key, String token) {
    edit(name, p -> {
      Map<String, String> annotations = new HashMap<>(Optional.ofNullable(p.getMetadata().getAnnotations())
          .orElse(Map.of()));
      annotations.put(key, token);
      p.getMetadata().setAnnotations(annotations);
    });
  }

  /** Edits like {@code kubectl edit}: on a conflict with the operator's status write, read again and retry. */
  private static void edit(String name, Consumer<CachePolicy> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        admin.resources(CachePolicy.class).inNamespace(NS).withName(name).edit(p -> {
          change.accept(p);
          return p;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }
}

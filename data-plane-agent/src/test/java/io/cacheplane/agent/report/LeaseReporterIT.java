package io.cacheplane.agent.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.config.Reasons;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.Counters;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The agent's Lease against the fabric8 mock API server (CRUD): identity, labels, owner, annotations, the ACK/NACK
 * report and its counters, renew-only heartbeats, conflicts, and an API server that is not there at start.
 */
@EnableKubernetesMockClient(crud = true)
class LeaseReporterIT {

  static KubernetesClient client;

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final Duration LEASE = Duration.ofSeconds(2);
  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final Map<String, String> POD_LABELS = Map.of("app.kubernetes.io/name", "cacheplane-agent",
      "tier", "edge");

  private static Vertx vertx;
  private static HttpServer upstream;
  private static HttpClient http;
  private static io.vertx.core.Context httpContext;

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private String namespace;

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer()
        .requestHandler(req -> {
          if (req.path().startsWith("/boom")) {
            req.response().setStatusCode(500).end("boom");
          } else {
            req.response().end("upstream " + req.path());
          }
        })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    httpContext = vertx.getOrCreateContext();
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private AgentSettings settings(TestInfo info, String agentId) {
    namespace = "lease-" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
    namespace = namespace.substring(0, Math.min(namespace.length(), 60));
    return AgentSettings.defaults(agentId, namespace)
        .withPodLabels(POD_LABELS)
        .withTrafficHost("127.0.0.1")
        .withLeaseDuration(LEASE)
        .withHeartbeat(HEARTBEAT)
        .withMeterRegistry(new SimpleMeterRegistry());
  }

  private Agent start(KubernetesClient c, AgentSettings settings) {
    Agent agent = Agent.start(c, vertx, settings);
    closeables.add(agent);
    return agent;
  }

  private Lease lease(String agentId) {
    return client.leases().inNamespace(namespace).withName(AgentLeases.leaseName(agentId)).get();
  }

  private static String reportText(Lease l) {
    return l.getMetadata().getAnnotations() == null ? null
        : l.getMetadata().getAnnotations().get(AgentLeases.REPORT_ANNOTATION);
  }

  private static AgentReport report(Lease l) {
    return AgentLeases.decode(reportText(l));
  }

  /** Waits until the Lease's report has a policy {@code name} that satisfies {@code test}; returns it. */
  private PolicyReport awaitReported(String agentId, String name, Predicate<PolicyReport> test) {
    AtomicReference<PolicyReport> found = new AtomicReference<>();
    await().atMost(WAIT).until(() -> {
      Lease l = lease(agentId);
      AgentReport r = l == null ? null : report(l);
      PolicyReport p = r == null ? null
          : r.policies().stream().filter(x -> x.name().equals(name)).findFirst().orElse(null);
      found.set(p);
      return p != null && test.test(p);
    });
    return found.get();
  }

  private void write(ConfigMap cm) {
    client.configMaps().inNamespace(namespace).resource(cm).createOr(NonDeletingOperation::update);
  }

  private String upstreamUrl() {
    return "http://127.0.0.1:" + upstream.actualPort();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** One GET through the agent's proxy, sent from one Vert.x context (see ProxyServerTest#send); the status. */
  private int get(Agent agent, String path) throws Exception {
    Promise<Integer> status = Promise.promise();
    httpContext.runOnContext(v -> http
        .request(new RequestOptions().setHost("127.0.0.1").setPort(agent.trafficPort()).setURI(path))
        .compose(req -> req.send())
        .compose(resp -> resp.body().map(b -> resp.statusCode()))
        .onComplete(status));
    return status.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void leaseCarriesIdentityLabelsOwnerAndAnnotations(TestInfo info) {
    start(client, settings(info, "agent-owned").withPodUid("pod-uid-1"));
    await().atMost(WAIT).until(() -> lease("agent-owned") != null);
    Lease l = lease("agent-owned");

    assertThat(l.getMetadata().getName()).isEqualTo("cacheplane-agent-agent-owned");
    assertThat(l.getMetadata().getLabels()).containsAllEntriesOf(POD_LABELS)
        .containsEntry(AgentLeases.AGENT_LABEL, "true").hasSize(POD_LABELS.size() + 1);
    assertThat(l.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
      assertThat(o.getApiVersion()).isEqualTo("v1");
      assertThat(o.getKind()).isEqualTo("Pod");
      assertThat(o.getName()).isEqualTo("agent-owned");
      assertThat(o.getUid()).isEqualTo("pod-uid-1");
    });
    assertThat(l.getSpec().getHolderIdentity()).isEqualTo("agent-owned");
    assertThat(l.getSpec().getLeaseDurationSeconds()).isEqualTo(2);
    assertThat(l.getSpec().getRenewTime()).isNotNull();
    assertThat(l.getMetadata().getAnnotations()).containsEntry(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, "1");
    assertThat(report(l)).isEqualTo(new AgentReport("agent-owned", List.of()));
  }

  @Test
  void noOwnerReferenceWithoutAPodUid(TestInfo info) {
    start(client, settings(info, "agent-orphan"));
    await().atMost(WAIT).until(() -> lease("agent-orphan") != null);
    List<OwnerReference> owners = lease("agent-orphan").getMetadata().getOwnerReferences();
    assertThat(owners == null ? List.of() : owners).isEmpty();
  }

  @Test
  void appliedPoliciesAreReportedWithTheirRevision(TestInfo info) {
    start(client, settings(info, "agent-ack"));
    CachePolicySpec cache = Policies.cachePolicy(100L, "5m", null, null);
    RoutePolicySpec routes = Policies.routePolicy(Policies.route("products", "/products", false, upstreamUrl(),
        "pages", null));
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "pages", "uid-pages", 1, cache)));
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 1, routes)));

    PolicyReport shop = awaitReported("agent-ack", "shop", p -> AgentReport.APPLIED.equals(p.state()));
    assertThat(shop).isEqualTo(new PolicyReport(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 1L,
        EnvelopeCodec.publish(routes, 1, null).revision(), AgentReport.APPLIED, null, null, null, null));
    PolicyReport pages = awaitReported("agent-ack", "pages", p -> AgentReport.APPLIED.equals(p.state()));
    assertThat(pages.revision()).isEqualTo(EnvelopeCodec.publish(cache, 1, null).revision());
    assertThat(report(lease("agent-ack")).policies()).extracting(PolicyReport::kind)
        .containsExactly(CacheplaneApi.KIND_CACHE_POLICY, CacheplaneApi.KIND_ROUTE_POLICY);
  }

  @Test
  void brokenEnvelopesAreReportedAsRejectedWhileTheOldRevisionServes(TestInfo info) {
    start(client, settings(info, "agent-nack"));
    RoutePolicySpec routes = Policies.routePolicy(Policies.route("products", "/products", false, upstreamUrl(),
        null, null));
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 1, routes)));
    String serving = awaitReported("agent-nack", "shop", p -> AgentReport.APPLIED.equals(p.state())).revision();

    PublishedRevision published = EnvelopeCodec.publish(routes, 2, null);
    String forged = EnvelopeCodec.encode(new Envelope(1, CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 2L, null,
        new PublishedRevision("0123456789abcdef", 2L, published.spec(), null), null));
    write(Policies.configMap(namespace, CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", forged));
    PolicyReport rejected = awaitReported("agent-nack", "shop", p -> AgentReport.REJECTED.equals(p.state()));
    assertThat(rejected.reason()).isEqualTo(Reasons.REVISION_MISMATCH);
    assertThat(rejected.revision()).as("still serving").isEqualTo(serving);
    assertThat(rejected.rejectedRevision()).isEqualTo("0123456789abcdef");
    assertThat(rejected.sequence()).isEqualTo(2L);
    assertThat(rejected.message()).isNotBlank().hasSizeLessThanOrEqualTo(AgentLeases.MAX_MESSAGE);

    write(Policies.configMap(namespace, CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", "{{{ not yaml"));
    PolicyReport malformed = awaitReported("agent-nack", "shop",
        p -> Reasons.MALFORMED_ENVELOPE.equals(p.reason()));
    assertThat(malformed.state()).isEqualTo(AgentReport.REJECTED);
    assertThat(malformed.revision()).isEqualTo(serving);
    assertThat(malformed.rejectedRevision()).isNull();
  }

  @Test
  void aRolloutMakesCountersAppearAndTheyCountRequestsThroughTheProxy(TestInfo info) throws Exception {
    Agent agent = start(client, settings(info, "agent-canary"));
    String down = "http://127.0.0.1:" + freePort();
    CachePolicySpec cache = Policies.cachePolicy(100L, "5m", null, null);
    RoutePolicySpec stable = Policies.routePolicy(
        Policies.route("products", "/products", false, upstreamUrl(), "pages", null));
    RoutePolicySpec canary = Policies.routePolicy(
        Policies.route("products", "/products", false, upstreamUrl(), "pages", null),
        Policies.route("boom", "/boom", false, upstreamUrl(), null, null),
        Policies.route("down", "/down", false, down, null, null));
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "pages", "uid-pages", 1, cache)));
    write(Policies.configMap(namespace, Policies.withCanary(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 2,
        stable, canary, Bucketing.ALL, null)));
    String canaryRevision = EnvelopeCodec.publish(canary, 2, Bucketing.ALL).revision();

    PolicyReport shop = awaitReported("agent-canary", "shop", p -> canaryRevision.equals(p.revision()));
    assertThat(shop.counters()).isEqualTo(new Counters(canaryRevision, 0, 0, 0));
    awaitReported("agent-canary", "pages", p -> AgentReport.APPLIED.equals(p.state()));
    assertThat(report(lease("agent-canary")).policies()).filteredOn(p -> p.name().equals("pages"))
        .singleElement().satisfies(p -> assertThat(p.counters()).as("no rollout of pages").isNull());

    assertThat(get(agent, "/products/1")).isEqualTo(200);
    assertThat(get(agent, "/products/1")).isEqualTo(200);
    assertThat(get(agent, "/products/2")).isEqualTo(200);
    assertThat(get(agent, "/boom")).isEqualTo(500);
    assertThat(get(agent, "/boom")).isEqualTo(500);
    assertThat(get(agent, "/down")).isEqualTo(502);
    assertThat(get(agent, "/unrouted")).isEqualTo(404);

    PolicyReport counted = awaitReported("agent-canary", "shop",
        p -> p.counters() != null && p.counters().requests() == 6);
    assertThat(counted.counters()).isEqualTo(new Counters(canaryRevision, 6, 3, 1));

    // the cache goes under analysis too: its counters start at zero and count the routes that reference it
    CachePolicySpec bigger = Policies.cachePolicy(200L, "5m", null, null);
    write(Policies.configMap(namespace, Policies.withCanary(CacheplaneApi.KIND_CACHE_POLICY, "pages", "uid-pages", 2,
        cache, bigger, Bucketing.ALL, null)));
    String pagesCanary = EnvelopeCodec.publish(bigger, 2, Bucketing.ALL).revision();
    awaitReported("agent-canary", "pages", p -> p.counters() != null && pagesCanary.equals(p.counters().revision()));
    assertThat(get(agent, "/products/3")).isEqualTo(200);
    assertThat(get(agent, "/products/3")).isEqualTo(200);
    assertThat(awaitReported("agent-canary", "pages", p -> p.counters().requests() == 2).counters())
        .isEqualTo(new Counters(pagesCanary, 2, 0, 0));

    // a new canary revision of shop: its counters start again from zero
    RoutePolicySpec canary2 = Policies.routePolicy(
        Policies.route("products", "/products", false, upstreamUrl(), "pages", null));
    canary2.getRoutes().get(0).setTimeout("3s");
    write(Policies.configMap(namespace, Policies.withCanary(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 3,
        stable, canary2, Bucketing.ALL, null)));
    String canary2Revision = EnvelopeCodec.publish(canary2, 3, Bucketing.ALL).revision();
    assertThat(awaitReported("agent-canary", "shop", p -> canary2Revision.equals(p.revision())).counters())
        .isEqualTo(new Counters(canary2Revision, 0, 0, 0));

    // promotion: the envelope has no canary any more; no counters
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 4, canary2)));
    assertThat(awaitReported("agent-canary", "shop", p -> p.sequence() == 4L).counters()).isNull();
  }

  @Test
  void heartbeatsWithoutChangeRenewOnlyTheRenewTime(TestInfo info) {
    start(client, settings(info, "agent-quiet"));
    RoutePolicySpec routes = Policies.routePolicy(Policies.route("products", "/products", false, upstreamUrl(),
        null, null));
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 1, routes)));
    awaitReported("agent-quiet", "shop", p -> AgentReport.APPLIED.equals(p.state()));

    Lease first = lease("agent-quiet");
    Lease second = awaitRenewalAfter(first);
    Lease third = awaitRenewalAfter(second);
    for (Lease later : List.of(second, third)) {
      assertThat(reportText(later)).isEqualTo(reportText(first));
      assertThat(later.getMetadata().getAnnotations()).isEqualTo(first.getMetadata().getAnnotations());
      assertThat(later.getMetadata().getLabels()).isEqualTo(first.getMetadata().getLabels());
      assertThat(later.getSpec().getHolderIdentity()).isEqualTo(first.getSpec().getHolderIdentity());
      assertThat(later.getSpec().getLeaseDurationSeconds()).isEqualTo(first.getSpec().getLeaseDurationSeconds());
      assertThat(later.getSpec().getAcquireTime()).isEqualTo(first.getSpec().getAcquireTime());
    }
    assertThat(second.getSpec().getRenewTime()).isAfter(first.getSpec().getRenewTime());
    assertThat(third.getSpec().getRenewTime()).isAfter(second.getSpec().getRenewTime());
  }

  private Lease awaitRenewalAfter(Lease before) {
    ZonedDateTime renewed = before.getSpec().getRenewTime();
    AtomicReference<Lease> next = new AtomicReference<>();
    await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
      Lease l = client.leases().inNamespace(before.getMetadata().getNamespace())
          .withName(before.getMetadata().getName()).get();
      next.set(l);
      return l != null && l.getSpec().getRenewTime().isAfter(renewed);
    });
    return next.get();
  }

  @Test
  void foreignWritesAndDeletionAreRepaired(TestInfo info) {
    start(client, settings(info, "agent-repair"));
    await().atMost(WAIT).until(() -> lease("agent-repair") != null);

    // someone else updates the Lease: the agent's next update conflicts (409), re-reads and writes its own content
    Lease l = lease("agent-repair");
    l.getMetadata().getLabels().put("intruder", "yes");
    l.getMetadata().getAnnotations().put(AgentLeases.REPORT_ANNOTATION, "{}");
    client.leases().inNamespace(namespace).resource(l).update();
    await().atMost(WAIT).until(() -> {
      Lease now = lease("agent-repair");
      return !now.getMetadata().getLabels().containsKey("intruder") && report(now) != null;
    });

    // deleted (by an admin; the agent never deletes): recreated
    client.leases().inNamespace(namespace).withName(AgentLeases.leaseName("agent-repair")).delete();
    await().atMost(WAIT).until(() -> {
      Lease now = lease("agent-repair");
      return now != null && report(now) != null;
    });
  }

  @Test
  void aReportTooLargeKeepsThePreviousOneWhileRenewalsGoOn(TestInfo info) {
    AgentSettings settings = settings(info, "agent-large");
    AgentReport small = new AgentReport("agent-large", List.of());
    List<PolicyReport> many = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      many.add(new PolicyReport(CacheplaneApi.KIND_ROUTE_POLICY, "policy-" + i + "-" + "n".repeat(40), "uid-" + i,
          1L, "0123456789abcdef", AgentReport.APPLIED, null, null, null, null));
    }
    AgentReport large = new AgentReport("agent-large", many);
    AtomicReference<AgentReport> current = new AtomicReference<>(small);
    LeaseReporter reporter = LeaseReporter.start(client, settings, current::get);
    closeables.add(reporter);
    await().atMost(WAIT).until(() -> lease("agent-large") != null && small.equals(report(lease("agent-large"))));
    String before = reportText(lease("agent-large"));

    current.set(large);
    reporter.changed();
    Lease renewed = awaitRenewalAfter(awaitRenewalAfter(lease("agent-large")));
    assertThat(reportText(renewed)).as("the previous report stays").isEqualTo(before);

    current.set(new AgentReport("agent-large", many.subList(0, 1)));
    reporter.changed();
    await().atMost(WAIT).until(() -> report(lease("agent-large")).policies().size() == 1);
  }

  @Test
  void startsWithoutTheApiServerAndCreatesTheLeaseOnceItAnswers(TestInfo info) throws Exception {
    int port = freePort();
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + port)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(500)
        .withRequestTimeout(2_000)
        .build();
    KubernetesClient offline = new KubernetesClientBuilder().withConfig(config).build();
    closeables.add(offline);
    AgentSettings settings = settings(info, "agent-late").withPodUid("pod-uid-late");

    long t0 = System.nanoTime();
    Agent agent = start(offline, settings);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("start does not wait for the API")
        .isLessThan(Duration.ofSeconds(10));
    assertThat(agent.ready()).isTrue();
    assertThat(get(agent, "/anything")).isEqualTo(404);

    // the first writes fail (nothing listens on that port); then the API server appears there
    Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
    KubernetesMockServer server = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
        responses, new KubernetesMixedDispatcher(responses), false);
    server.init(InetAddress.getByName("127.0.0.1"), port);
    closeables.add(server::destroy);
    KubernetesClient admin = server.createClient();
    closeables.add(admin);

    await().atMost(WAIT).until(() ->
        admin.leases().inNamespace(namespace).withName(AgentLeases.leaseName("agent-late")).get() != null);
    Lease l = admin.leases().inNamespace(namespace).withName(AgentLeases.leaseName("agent-late")).get();
    assertThat(l.getSpec().getHolderIdentity()).isEqualTo("agent-late");
    assertThat(l.getMetadata().getOwnerReferences()).extracting(OwnerReference::getUid).containsExactly("pod-uid-late");
    assertThat(report(l)).isEqualTo(new AgentReport("agent-late", List.of()));
  }
}

package io.cacheplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.config.Reasons;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** One agent against the fabric8 mock API server, fed with ConfigMaps written as the operator writes them. */
@EnableKubernetesMockClient(crud = true)
class AgentIT {

  static KubernetesClient client;

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static Vertx vertx;
  private static HttpServer upstream;
  private static HttpClient http;
  private static final AtomicInteger upstreamCalls = new AtomicInteger();

  private final FakeTicker ticker = new FakeTicker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private String namespace;
  private Agent agent;

  record Reply(int status, String xCache, String body) {}

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer()
        .requestHandler(req -> req.response().end("upstream " + req.path() + " #" + upstreamCalls.incrementAndGet()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void closeAgent() {
    if (agent != null) {
      agent.close();
    }
  }

  private void startAgent(TestInfo info) {
    namespace = "it-" + info.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
    namespace = namespace.substring(0, Math.min(namespace.length(), 60));
    AgentSettings settings = AgentSettings.defaults("agent-it", namespace)
        .withTrafficHost("127.0.0.1")
        .withTicker(ticker)
        .withMeterRegistry(registry);
    agent = Agent.start(client, vertx, settings);
  }

  private String upstreamUrl() {
    return "http://127.0.0.1:" + upstream.actualPort();
  }

  private void write(ConfigMap cm) {
    client.configMaps().inNamespace(namespace).resource(cm).createOr(NonDeletingOperation::update);
  }

  private void writeCachePolicy(long sequence, CachePolicySpec spec) {
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "pages", "uid-pages", sequence, spec)));
  }

  private void writeRoutePolicy(String name, long sequence, RoutePolicySpec spec) {
    write(Policies.configMap(namespace, Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, name, "uid-" + name, sequence, spec)));
  }

  private RoutePolicySpec shopRoutes() {
    return Policies.routePolicy(Policies.route("products", "/products", false, upstreamUrl(), "pages", "5s"));
  }

  private Optional<PolicyState> state(String name) {
    return agent.policies().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private void awaitState(String name, State state, String reason) {
    await().atMost(WAIT).untilAsserted(() -> assertThat(state(name)).hasValueSatisfying(s -> {
      assertThat(s.state()).isEqualTo(state);
      assertThat(s.reason()).isEqualTo(reason);
    }));
  }

  private Reply get(String path) throws Exception {
    return http.request(new RequestOptions().setHost("127.0.0.1").setPort(agent.trafficPort()).setURI(path))
        // read the body inside the request's callback: Vert.x drops body chunks that arrive before a reader is set
        .compose(req -> req.send().compose(resp -> resp.body()
            .map(b -> new Reply(resp.statusCode(), resp.getHeader("X-Cache"), b.toString()))))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** Publishes the cache and the routes, waits until both are applied and /products/1 is cached. */
  private void publishShop() throws Exception {
    writeCachePolicy(1, Policies.cachePolicy(1000L, "10m", null, null));
    writeRoutePolicy("shop", 1, shopRoutes());
    awaitState("pages", State.Applied, null);
    awaitState("shop", State.Applied, null);
    assertThat(get("/products/1").xCache()).isEqualTo("MISS");
    assertThat(get("/products/1").xCache()).isEqualTo("HIT");
  }

  @Test
  void appliesPoliciesAndServesTheirRoutes(TestInfo info) throws Exception {
    startAgent(info);
    assertThat(get("/products/1").status()).as("nothing applied yet").isEqualTo(404);
    publishShop();
    PolicyState shop = state("shop").orElseThrow();
    assertThat(shop.kind()).isEqualTo(CacheplaneApi.KIND_ROUTE_POLICY);
    assertThat(shop.uid()).isEqualTo("uid-shop");
    assertThat(shop.sequence()).isEqualTo(1);
    assertThat(shop.appliedRevision()).isEqualTo(EnvelopeCodec.publish(shopRoutes(), 1, null).revision());
    assertThat(agent.synced()).isTrue();
    assertThat(registry.get("cacheplane.config.applies").tags("kind", "RoutePolicy", "policy", "shop").counter().count())
        .isEqualTo(1);
  }

  @Test
  void expiryAndSizeChangesRetuneTheLiveCacheWithoutLosingEntries(TestInfo info) throws Exception {
    startAgent(info);
    publishShop();
    CacheView before = agent.cache("pages");
    assertThat(before.maximum()).isEqualTo(1000);
    assertThat(before.expireAfterWrite()).isEqualTo(Duration.ofMinutes(10));

    writeCachePolicy(2, Policies.cachePolicy(500L, "2m", "1m", null));
    await().atMost(WAIT).untilAsserted(() -> {
      CacheView v = agent.cache("pages");
      assertThat(v.maximum()).isEqualTo(500);
      assertThat(v.expireAfterWrite()).isEqualTo(Duration.ofMinutes(2));
      assertThat(v.expireAfterAccess()).isEqualTo(Duration.ofMinutes(1));
    });
    CacheView after = agent.cache("pages");
    assertThat(after.incarnation()).as("retuned in place").isEqualTo(before.incarnation());
    assertThat(after.estimatedSize()).isEqualTo(before.estimatedSize());
    assertThat(get("/products/1").xCache()).as("entry survived the retune").isEqualTo("HIT");

    ticker.advance(Duration.ofSeconds(61));
    assertThat(get("/products/1").xCache()).as("the new access expiry applies to the old entry").isEqualTo("MISS");
  }

  @Test
  void purgeByPrefixAndByPurgeGenerationOnARunningAgent(TestInfo info) throws Exception {
    startAgent(info);
    publishShop();
    assertThat(get("/products/2").xCache()).isEqualTo("MISS");
    assertThat(agent.purge("pages", null, "/products/")).isEqualTo(2);
    assertThat(get("/products/1").xCache()).as("purged").isEqualTo("MISS");
    assertThat(get("/products/1").xCache()).isEqualTo("HIT");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.purge("nothing", null, "/"))
        .isInstanceOf(java.util.NoSuchElementException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> agent.purge("pages", "GET /x", "/"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(agent.purgeEndpoint().enabled()).as("no token file: the endpoint is off").isFalse();

    CachePolicySpec bumped = Policies.cachePolicy(1000L, "10m", null, null);
    bumped.setPurgeGeneration(1L);
    writeCachePolicy(2, bumped);
    await().atMost(WAIT).until(() -> state("pages").map(PolicyState::sequence).orElse(0L) == 2);
    assertThat(get("/products/1").xCache()).as("purgeGeneration 0 -> 1 purged the cache").isEqualTo("MISS");
  }

  @Test
  void badEnvelopesAreRejectedAndThePreviousRevisionKeepsServing(TestInfo info) throws Exception {
    startAgent(info);
    publishShop();
    String serving = state("shop").orElseThrow().appliedRevision();
    String name = ConfigMapNames.configMapName(CacheplaneApi.KIND_ROUTE_POLICY, "shop");
    String good = EnvelopeCodec.encode(Policies.stable(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 2, shopRoutes()));
    PublishedRevision published = EnvelopeCodec.publish(shopRoutes(), 3, null);
    String mismatch = EnvelopeCodec.encode(new Envelope(1, CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", 3L, null,
        new PublishedRevision("0123456789abcdef", 3L, published.spec(), null), null));

    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put("{{{ not yaml: [", Reasons.MALFORMED_ENVELOPE); // a YAML syntax error
    cases.put(good + "sequence: 9\n", Reasons.MALFORMED_ENVELOPE); // duplicated key
    cases.put(good.replace("schemaVersion: 1", "schemaVersion: 2"), Reasons.UNSUPPORTED_SCHEMA_VERSION);
    cases.put(mismatch, Reasons.REVISION_MISMATCH);
    for (Map.Entry<String, String> c : cases.entrySet()) {
      write(Policies.configMap(namespace, CacheplaneApi.KIND_ROUTE_POLICY, "shop", "uid-shop", c.getKey()));
      awaitState("shop", State.Rejected, c.getValue());
      PolicyState s = state("shop").orElseThrow();
      assertThat(s.message()).isNotBlank();
      assertThat(s.appliedRevision()).isEqualTo(serving);
      assertThat(get("/products/1").xCache()).as("still served after %s", c.getValue()).isEqualTo("HIT");
    }
    assertThat(client.configMaps().inNamespace(namespace).withName(name).get()).isNotNull();
  }

  @Test
  void oneBadPolicyDoesNotBlockAnother(TestInfo info) throws Exception {
    startAgent(info);
    write(Policies.configMap(namespace, CacheplaneApi.KIND_ROUTE_POLICY, "broken", "uid-broken", "kind: [unterminated"));
    publishShop();
    awaitState("broken", State.Rejected, Reasons.MALFORMED_ENVELOPE);

    Route extra = Policies.route("extra", "/extra", true, upstreamUrl(), null, null);
    writeRoutePolicy("extra", 1, Policies.routePolicy(extra));
    awaitState("extra", State.Applied, null);
    Reply r = get("/extra");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.xCache()).isEqualTo("BYPASS");
    assertThat(state("broken").orElseThrow().appliedRevision()).isNull();
  }

  @Test
  void deletingTheConfigMapRemovesTheRoutesAndTheCache(TestInfo info) throws Exception {
    startAgent(info);
    publishShop();
    client.configMaps().inNamespace(namespace).withName(ConfigMapNames.configMapName(CacheplaneApi.KIND_ROUTE_POLICY, "shop"))
        .delete();
    client.configMaps().inNamespace(namespace).withName(ConfigMapNames.configMapName(CacheplaneApi.KIND_CACHE_POLICY, "pages"))
        .delete();
    await().atMost(WAIT).untilAsserted(() -> assertThat(agent.policies()).isEmpty());
    assertThat(get("/products/1").status()).isEqualTo(404);
    assertThat(agent.cache("pages")).isNull();
  }

  @Test
  void startsAndServesWhenTheApiServerCannotBeReached() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("https://127.0.0.1:" + closed)
        .withNamespace("offline")
        .withRequestTimeout(2_000)
        .withConnectionTimeout(1_000)
        .build();
    try (KubernetesClient offline = new KubernetesClientBuilder().withConfig(config).build()) {
      agent = Agent.start(offline, vertx, AgentSettings.defaults("agent-offline", "offline").withTrafficHost("127.0.0.1"));
      assertThat(agent.ready()).isTrue();
      Reply r = get("/anything");
      assertThat(r.status()).isEqualTo(404);
      assertThat(r.body()).contains("no route for GET /anything");
      assertThat(agent.synced()).isFalse();
      assertThat(agent.policies()).isEmpty();
      agent.close();
      agent = null;
    }
  }
}

package io.cacheplane.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentFiles;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.CacheView;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Static stability: an agent restarted while the API server is unreachable serves its last-known-good policies at
 * once, and converges on the API's content once it answers (newer sequences replace, older ones are ignored, policies
 * deleted meanwhile are removed, unchanged ones are not re-applied). Real Vert.x upstream, fabric8 mock API servers in
 * CRUD mode.
 */
@EnableKubernetesMockClient(crud = true)
class LastKnownGoodIT {

  static KubernetesClient client;

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;
  private static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;
  private static Vertx vertx;
  private static HttpServer upstream;
  private static HttpClient http;

  @TempDir
  Path stateDir;

  private final Deque<AutoCloseable> closeables = new ArrayDeque<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger failures = new AtomicInteger();

  record Reply(int status, String xCache, String body) {}

  @BeforeAll
  static void upstream() throws Exception {
    vertx = Vertx.vertx();
    AtomicInteger calls = new AtomicInteger();
    upstream = vertx.createHttpServer()
        .requestHandler(req -> req.response().end("upstream " + req.path() + " #" + calls.incrementAndGet()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    http = vertx.createHttpClient();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void close() throws Exception {
    while (!closeables.isEmpty()) {
      closeables.pop().close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private Agent start(KubernetesClient c, String namespace, SimpleMeterRegistry registry) {
    Agent agent = Agent.start(c, vertx, AgentSettings.defaults("agent-lkg", namespace)
        .withTrafficHost("127.0.0.1")
        .withTicker(new FakeTicker())
        .withMeterRegistry(registry)
        .withFiles(AgentFiles.none().withStateDir(stateDir)));
    closeables.push(agent);
    return agent;
  }

  /** A client for an API server on {@code port} of the loopback interface that retries quickly. */
  private KubernetesClient clientOn(int port, String namespace) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl("http://127.0.0.1:" + port)
        .withNamespace(namespace)
        .withRequestRetryBackoffLimit(0)
        .withConnectionTimeout(500)
        .withRequestTimeout(2_000)
        .withWatchReconnectInterval(100)
        .build();
    KubernetesClient c = new KubernetesClientBuilder().withConfig(config).build();
    closeables.push(c);
    return c;
  }

  private static String upstreamUrl() {
    return "http://127.0.0.1:" + upstream.actualPort();
  }

  private static ConfigMap configMap(String namespace, String name, long sequence, PolicySpec spec) {
    return Policies.configMap(namespace, Policies.stable(Policies.kindOf(spec), name, "uid-" + name, sequence, spec));
  }

  private static void write(KubernetesClient c, ConfigMap cm) {
    c.configMaps().inNamespace(cm.getMetadata().getNamespace()).resource(cm).createOr(NonDeletingOperation::update);
  }

  private static CachePolicySpec pages() {
    return Policies.cachePolicy(1000L, "10m", null, null);
  }

  private static RoutePolicySpec routes(Route... routes) {
    return Policies.routePolicy(routes);
  }

  private static Route route(String name, String prefix, String cache) {
    return Policies.route(name, prefix, false, upstreamUrl(), cache, "5s");
  }

  private static Optional<PolicyState> state(Agent agent, String name) {
    return agent.policies().stream().filter(p -> p.name().equals(name)).findFirst();
  }

  private static String revision(PolicySpec spec) {
    return EnvelopeCodec.publish(spec, 1, null).revision();
  }

  /** One GET through the agent; counted, and counted as failed unless it is a 2xx. */
  private Reply get(Agent agent, String path) {
    requests.incrementAndGet();
    try {
      Reply r = http.request(new RequestOptions().setHost("127.0.0.1").setPort(agent.trafficPort()).setURI(path))
          .compose(req -> req.send().compose(resp -> resp.body()
              .map(b -> new Reply(resp.statusCode(), resp.getHeader("X-Cache"), b.toString()))))
          .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
      if (r.status() / 100 != 2) {
        failures.incrementAndGet();
      }
      return r;
    } catch (Exception e) {
      failures.incrementAndGet();
      return new Reply(-1, null, String.valueOf(e));
    }
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(stateDir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /**
   * A TCP forwarder on {@code port} to {@code target}: the API server "comes back" on the address the agent knows
   * once this listens.
   */
  private void forward(int port, int target) throws Exception {
    NetClient out = vertx.createNetClient();
    NetServer server = vertx.createNetServer().connectHandler(in -> {
      in.pause();
      out.connect(target, "127.0.0.1").onSuccess(o -> {
        in.pipeTo(o);
        o.pipeTo(in);
      }).onFailure(t -> in.close());
    });
    server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    closeables.push(() -> server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    closeables.push(() -> out.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** A second API server (CRUD mode) on an ephemeral port. */
  private KubernetesMockServer apiServer() throws Exception {
    KubernetesMockServer api = new KubernetesMockServer(new Context(Serialization.jsonMapper()), new MockWebServer(),
        new HashMap<>(), new KubernetesCrudDispatcher(), false);
    api.init(InetAddress.getByName("127.0.0.1"), 0);
    closeables.push(api::destroy);
    return api;
  }

  @Test
  void restartedWithoutTheApiServerItServesFromDiskThenConvergesOnTheApi() throws Exception {
    String ns = "lkg-restart";
    RoutePolicySpec shop1 = routes(route("products", "/products", "pages"));
    RoutePolicySpec gone = routes(route("gone", "/gone", null));
    RoutePolicySpec old2 = routes(route("old", "/old", null));
    // 1. an agent applies four policies from the API and persists them
    SimpleMeterRegistry firstRegistry = new SimpleMeterRegistry();
    Agent first = start(client, ns, firstRegistry);
    write(client, configMap(ns, "pages", 1, pages()));
    write(client, configMap(ns, "shop", 1, shop1));
    write(client, configMap(ns, "gone", 1, gone));
    write(client, configMap(ns, "old", 2, old2));
    await().atMost(WAIT).until(() -> first.policies().stream().filter(p -> p.state() == State.Applied).count() == 4);
    assertThat(files()).hasSize(4).allMatch(f -> f.matches("(cache|route)policy-[0-9a-f]{64}\\.json"));
    first.close();

    // 2. a new agent on the same state directory, its API server unreachable: it serves at once
    int apiPort = freePort();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Agent agent = start(clientOn(apiPort, ns), ns, registry);
    assertThat(agent.ready()).isTrue();
    assertThat(agent.synced()).isFalse();
    assertThat(agent.policies()).extracting(PolicyState::name, PolicyState::state, PolicyState::sequence)
        .containsExactly(
            tuple("pages", State.Applied, 1L),
            tuple("gone", State.Applied, 1L),
            tuple("old", State.Applied, 2L),
            tuple("shop", State.Applied, 1L));
    assertThat(get(agent, "/products/1").xCache()).isEqualTo("MISS");
    assertThat(get(agent, "/products/1").xCache()).isEqualTo("HIT");
    assertThat(get(agent, "/gone").status()).isEqualTo(200);
    assertThat(get(agent, "/old").status()).isEqualTo(200);
    CacheView cacheBefore = agent.cache("pages");
    // ... and keeps serving, without removing anything, while the API stays away
    await().during(Duration.ofMillis(1500)).atMost(WAIT).until(() ->
        "HIT".equals(get(agent, "/products/1").xCache()) && get(agent, "/gone").status() == 200
            && agent.ready() && !agent.synced() && agent.policies().size() == 4);
    assertThat(failures).as("failed requests while the API is unreachable").hasValue(0);

    // 3. the API comes back: pages unchanged, shop newer, old older, gone deleted meanwhile
    KubernetesMockServer api = apiServer();
    KubernetesClient admin = api.createClient();
    closeables.push(admin);
    RoutePolicySpec shop2 = routes(route("products", "/products", "pages"), route("extra", "/extra", null));
    RoutePolicySpec old1 = routes(route("older", "/older", null));
    write(admin, configMap(ns, "pages", 1, pages()));
    write(admin, configMap(ns, "shop", 2, shop2));
    write(admin, configMap(ns, "old", 1, old1));
    forward(apiPort, api.getPort());

    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(get(agent, "/products/1").xCache()).isEqualTo("HIT");
      assertThat(agent.synced()).isTrue();
      assertThat(state(agent, "shop")).map(PolicyState::appliedRevision).hasValue(revision(shop2));
      assertThat(state(agent, "gone")).isEmpty();
    });
    assertThat(agent.ready()).isTrue();
    assertThat(get(agent, "/extra").status()).as("the newer sequence's route").isEqualTo(200);
    assertThat(get(agent, "/gone").status()).as("deleted while the agent was down").isEqualTo(404);
    failures.decrementAndGet(); // that 404 was expected
    assertThat(state(agent, "old")).map(PolicyState::sequence).as("an older sequence is ignored").hasValue(2L);
    assertThat(get(agent, "/old").status()).isEqualTo(200);
    assertThat(get(agent, "/older").status()).isEqualTo(404);
    failures.decrementAndGet();

    CacheView cacheAfter = agent.cache("pages");
    assertThat(cacheAfter.incarnation()).as("the unchanged CachePolicy is not re-applied").isEqualTo(cacheBefore.incarnation());
    assertThat(registry.get(AgentMetrics.CONFIG_APPLIES).tags("kind", CACHE, "policy", "pages").counter().count())
        .isEqualTo(1);
    assertThat(registry.get(AgentMetrics.CONFIG_APPLIES).tags("kind", ROUTE, "policy", "old").counter().count())
        .isEqualTo(1);
    assertThat(files()).as("the deleted policy's file is gone, the others are current").hasSize(3)
        .doesNotContain(EnvelopeStore.fileName(ROUTE, "uid-gone"));
    assertThat(new EnvelopeStore(stateDir).load().envelopes())
        .filteredOn(e -> e.uid().equals("uid-shop")).singleElement()
        .satisfies(e -> assertThat(e.envelope()).contains("sequence: 2"));
    assertThat(failures).as("failed requests over %d", requests.get()).hasValue(0);
    assertThat(requests.get()).isGreaterThan(10);
  }

  @Test
  void unusableStateFilesAreSkippedAndTheAgentStartsAnyway() throws Exception {
    Files.writeString(stateDir.resolve(EnvelopeStore.fileName(ROUTE, "uid-a")), "{\"format\":\"cacheplane.io/last");
    Files.writeString(stateDir.resolve(EnvelopeStore.fileName(ROUTE, "uid-b")), "");
    Files.createDirectory(stateDir.resolve(EnvelopeStore.fileName(CACHE, "uid-c")));
    Files.writeString(stateDir.resolve("..routepolicy-x.json"), "x");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Agent agent = start(clientOn(freePort(), "lkg-corrupt"), "lkg-corrupt", registry);
    assertThat(agent.ready()).isTrue();
    assertThat(agent.policies()).isEmpty();
    assertThat(get(agent, "/anything").status()).isEqualTo(404);
    assertThat(registry.get(AgentMetrics.STATE_FILES_SKIPPED).counter().count()).isEqualTo(4);
  }

  @Test
  void anUnwritableStateDirectoryIsCountedAndTheAgentServesFromTheApi() throws Exception {
    String ns = "lkg-unwritable";
    Path notADirectory = Files.writeString(stateDir.resolve("file"), "x");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Agent agent = Agent.start(client, vertx, AgentSettings.defaults("agent-lkg", ns).withTrafficHost("127.0.0.1")
        .withMeterRegistry(registry).withFiles(AgentFiles.none().withStateDir(notADirectory.resolve("state"))));
    closeables.push(agent);
    write(client, configMap(ns, "shop", 1, routes(route("products", "/products", null))));
    await().atMost(WAIT).until(() -> state(agent, "shop").map(PolicyState::state).orElse(null) == State.Applied);
    assertThat(get(agent, "/products/1").status()).isEqualTo(200);
    assertThat(registry.get(AgentMetrics.STATE_WRITE_FAILURES).tag("operation", "write").counter().count())
        .isEqualTo(1);
  }
}

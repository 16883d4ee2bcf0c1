package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheScope;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * CachePolicy semantics through the proxy on real Vert.x servers: freshness from Cache-Control, stale windows,
 * scopes, credentials and sensitive caches. Time is a {@link FakeTicker}.
 */
class CachePolicySemanticsTest {

  private static Vertx vertx;
  private static HttpServer upstream;
  private static HttpServer flaky;
  private static ProxyServer proxy;
  private static HttpClient client;
  private static CacheRegistry caches;
  private static final FakeTicker ticker = new FakeTicker();
  private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  /** Status the flaky upstream answers with (200 = healthy). */
  private static final AtomicInteger flakyStatus = new AtomicInteger(200);

  record Reply(int status, MultiMap headers, String body) {
    String xCache() {
      return headers.get(ProxyServer.X_CACHE);
    }
  }

  private static CachePolicySpec spec(Consumer<CachePolicySpec> edit) {
    CachePolicySpec spec = new CachePolicySpec();
    spec.setCache(new CacheSettings());
    edit.accept(spec);
    return spec;
  }

  @BeforeAll
  static void start(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(CachePolicySemanticsTest::echo).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    flaky = vertx.createHttpServer().requestHandler(CachePolicySemanticsTest::flaky).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String up = "http://127.0.0.1:" + upstream.actualPort();
    String down = "http://127.0.0.1:" + flaky.actualPort();

    Path keyFile = dir.resolve("cache.key");
    Files.write(keyFile, new byte[32]);
    AgentMetrics metrics = new AgentMetrics(new SimpleMeterRegistry());
    caches = new CacheRegistry(ticker, metrics, keyFile);
    caches.apply("cc", CacheConfig.defaults());
    caches.apply("swr", CacheConfig.from(spec(s -> {
      s.getCache().setExpireAfterWrite("10s");
      s.getCache().setStaleWhileRevalidate("1m");
    })));
    caches.apply("sie", CacheConfig.from(spec(s -> {
      s.getCache().setExpireAfterWrite("10s");
      s.getCache().setStaleIfError("1m");
    })));
    caches.apply("tenant", CacheConfig.from(spec(s -> {
      s.setScope(CacheScope.Tenant);
      s.setScopeHeader("X-Tenant");
    })));
    caches.apply("user", CacheConfig.from(spec(s -> {
      s.setScope(CacheScope.User);
      s.setScopeHeader("X-User");
    })));
    CacheConfig secret = CacheConfig.from(spec(s -> s.setSensitive(true)));
    caches.apply("secret", secret, caches.prepare(secret));
    List<Route> routes = List.of(
        Policies.route("cc", "/cc", false, up, "cc", null),
        Policies.route("swr", "/swr", false, up, "swr", null),
        Policies.route("sie", "/sie", false, down, "sie", "2s"),
        Policies.route("tenant", "/tenant", false, up, "tenant", null),
        Policies.route("user", "/user", false, up, "user", null),
        Policies.route("secret", "/secret", false, up, "secret", null));
    AtomicReference<RouteTable> table = new AtomicReference<>(
        RouteTable.of(RouteCompiler.compile("semantics", Policies.routePolicy(routes.toArray(Route[]::new)),
            BackendResolver.clusterDns("test"))));
    proxy = new ProxyServer(vertx, table::get, caches, metrics);
    proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.port()),
        new PoolOptions().setHttp1MaxSize(200));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      proxy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Answers {@code flaky <path> #<n>} with the status in {@link #flakyStatus}. */
  private static void flaky(HttpServerRequest req) {
    int n = calls.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
    req.response().setStatusCode(flakyStatus.get()).end("flaky " + req.path() + " #" + n);
  }

  /**
   * Answers {@code <path> tenant=<X-Tenant> user=<X-User> #<n>}; the query parameter {@code cc} becomes the response's
   * Cache-Control, {@code cookie} a Set-Cookie; paths under {@code /swr/slow} answer after 200 ms.
   */
  private static void echo(HttpServerRequest req) {
    int n = calls.computeIfAbsent(req.path(), p -> new AtomicInteger()).incrementAndGet();
    var resp = req.response();
    String cc = req.getParam("cc");
    if (cc != null) {
      resp.putHeader("Cache-Control", cc);
    }
    if (req.getParam("cookie") != null) {
      resp.putHeader("Set-Cookie", "s=" + n);
    }
    String body = req.path() + " tenant=" + req.getHeader("X-Tenant") + " user=" + req.getHeader("X-User") + " #" + n;
    if (req.path().startsWith("/swr/slow")) {
      vertx.setTimer(200, t -> resp.end(body));
    } else {
      resp.end(body);
    }
  }

  private static Future<Reply> send(String uri, Map<String, String> headers) {
    RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET).setURI(uri);
    headers.forEach(o::putHeader);
    return client.request(o).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  private static Reply get(String uri, Map<String, String> headers) throws Exception {
    return send(uri, headers).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static Reply get(String uri) throws Exception {
    return get(uri, Map.of());
  }

  private static int calls(String path) {
    AtomicInteger n = calls.get(path);
    return n == null ? 0 : n.get();
  }

  @Test
  void noStorePrivateAndNoCacheResponsesAreNotStored() throws Exception {
    for (String cc : List.of("no-store", "private", "no-cache")) {
      String path = "/cc/" + cc;
      assertThat(get(path + "?cc=" + cc).xCache()).isEqualTo("MISS");
      assertThat(get(path + "?cc=" + cc).xCache()).as(cc).isEqualTo("MISS");
      assertThat(calls(path)).as(cc).isEqualTo(2);
    }
    assertThat(get("/cc/cookie?cookie=1").xCache()).isEqualTo("MISS");
    assertThat(get("/cc/cookie?cookie=1").xCache()).as("Set-Cookie is never stored").isEqualTo("MISS");
  }

  @Test
  void maxAgeShortensFreshnessButNeverBeyondTheTtl() throws Exception {
    assertThat(get("/cc/short?cc=max-age%3D30").xCache()).isEqualTo("MISS");
    assertThat(get("/cc/short?cc=max-age%3D30").xCache()).isEqualTo("HIT");
    assertThat(get("/cc/long?cc=s-maxage%3D86400").xCache()).isEqualTo("MISS");
    ticker.advance(Duration.ofSeconds(31));
    assertThat(get("/cc/short?cc=max-age%3D30").xCache()).as("max-age 30 s passed").isEqualTo("MISS");
    assertThat(get("/cc/long?cc=s-maxage%3D86400").xCache()).isEqualTo("HIT");
    ticker.advance(Duration.ofMinutes(5));
    assertThat(get("/cc/long?cc=s-maxage%3D86400").xCache()).as("capped by expireAfterWrite, 5m").isEqualTo("MISS");
  }

  @Test
  void staleWhileRevalidateServesStaleAndRefreshesOnce() throws Exception {
    Reply first = get("/swr/slow");
    assertThat(first.xCache()).isEqualTo("MISS");
    ticker.advance(Duration.ofSeconds(15)); // past the 10 s TTL, within the 1 m window

    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      replies.add(send("/swr/slow", Map.of()));
    }
    Future.all(replies).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(replies).allSatisfy(f -> assertThat(f.result().xCache()).isIn("STALE", "HIT"));
    assertThat(replies.get(0).result().xCache()).isEqualTo("STALE");
    assertThat(replies.get(0).result().body()).as("the stale entry").isEqualTo(first.body());

    await().atMost(Duration.ofSeconds(10)).until(() -> calls("/swr/slow") == 2);
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> calls("/swr/slow") == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> "HIT".equals(get("/swr/slow").xCache()));
    assertThat(get("/swr/slow").body()).as("the refreshed entry").endsWith("#2");

    ticker.advance(Duration.ofSeconds(75)); // past TTL + window
    assertThat(get("/swr/slow").xCache()).isEqualTo("MISS");
  }

  @Test
  void staleIfErrorServesTheEntryWhileTheUpstreamFails() throws Exception {
    Reply first = get("/sie/a");
    assertThat(first.xCache()).isEqualTo("MISS");
    ticker.advance(Duration.ofSeconds(20));
    try {
      flakyStatus.set(503);
      Reply stale = get("/sie/a");
      assertThat(stale.status()).isEqualTo(200);
      assertThat(stale.xCache()).isEqualTo("STALE");
      assertThat(stale.body()).isEqualTo(first.body());
      assertThat(calls("/sie/a")).as("the upstream was asked").isEqualTo(2);
    } finally {
      flakyStatus.set(200);
    }
    Reply fresh = get("/sie/a");
    assertThat(fresh.xCache()).as("upstream healthy again: refetched").isEqualTo("MISS");
    assertThat(fresh.body()).endsWith("#3");
  }

  @Test
  void staleIfErrorWhileTheUpstreamIsDown() throws Exception {
    Reply first = get("/sie/down");
    assertThat(first.xCache()).isEqualTo("MISS");
    int port = flaky.actualPort();
    flaky.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      ticker.advance(Duration.ofSeconds(30));
      Reply stale = get("/sie/down");
      assertThat(stale.status()).isEqualTo(200);
      assertThat(stale.xCache()).isEqualTo("STALE");
      assertThat(stale.body()).isEqualTo(first.body());
      ticker.advance(Duration.ofMinutes(1)); // past TTL + staleIfError
      assertThat(get("/sie/down").status()).isEqualTo(502);
    } finally {
      flaky = vertx.createHttpServer().requestHandler(CachePolicySemanticsTest::flaky).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void tenantScopeKeysByTheHeaderAndBypassesWithoutIt() throws Exception {
    assertThat(get("/tenant/p", Map.of("X-Tenant", "a")).xCache()).isEqualTo("MISS");
    Reply b = get("/tenant/p", Map.of("X-Tenant", "b"));
    assertThat(b.xCache()).as("another tenant never gets a's entry").isEqualTo("MISS");
    assertThat(b.body()).contains("tenant=b");
    Reply a = get("/tenant/p", Map.of("X-Tenant", "a"));
    assertThat(a.xCache()).isEqualTo("HIT");
    assertThat(a.body()).contains("tenant=a");
    assertThat(get("/tenant/p").xCache()).as("no tenant: uncached").isEqualTo("BYPASS");
    assertThat(get("/tenant/p", Map.of("X-Tenant", " ")).xCache()).isEqualTo("BYPASS");
    assertThat(get("/tenant/p", Map.of("X-Tenant", "a", "Authorization", "Bearer x")).xCache())
        .as("credentials bypass unless scope is User").isEqualTo("BYPASS");
    assertThat(get("/tenant/p", Map.of("X-Tenant", "a", "Cookie", "s=1")).xCache()).isEqualTo("BYPASS");
  }

  @Test
  void credentialsBypassGlobalCachesButUserScopeCachesPerUser() throws Exception {
    assertThat(get("/cc/creds").xCache()).isEqualTo("MISS");
    assertThat(get("/cc/creds", Map.of("Authorization", "Bearer t")).xCache()).isEqualTo("BYPASS");
    assertThat(get("/cc/creds", Map.of("Cookie", "s=1")).xCache()).isEqualTo("BYPASS");

    assertThat(get("/user/me", Map.of("X-User", "alice", "Authorization", "Bearer a")).xCache()).isEqualTo("MISS");
    Reply alice = get("/user/me", Map.of("X-User", "alice", "Authorization", "Bearer a"));
    assertThat(alice.xCache()).isEqualTo("HIT");
    assertThat(alice.body()).contains("user=alice");
    Reply bob = get("/user/me", Map.of("X-User", "bob", "Cookie", "s=b"));
    assertThat(bob.xCache()).isEqualTo("MISS");
    assertThat(bob.body()).contains("user=bob");
  }

  @Test
  void sensitiveCacheServesHitsFromEncryptedEntries() throws Exception {
    assertThat(get("/secret/account?x=1").xCache()).isEqualTo("MISS");
    Reply hit = get("/secret/account?x=2");
    assertThat(hit.xCache()).isEqualTo("HIT");
    assertThat(hit.body()).startsWith("/secret/account ").endsWith("#1");
    assertThat(caches.get("secret").purgeKey("GET /secret/account")).isEqualTo(1);
    assertThat(get("/secret/account").xCache()).isEqualTo("MISS");
  }
}

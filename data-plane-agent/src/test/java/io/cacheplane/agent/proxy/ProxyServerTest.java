package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.report.RevisionCounters;
import io.cacheplane.api.contract.AgentReport.Counters;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.v1alpha1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The proxy on a real Vert.x server, in front of a local upstream server. */
class ProxyServerTest {

  private static Vertx vertx;
  private static HttpServer upstream;
  private static ProxyServer proxy;
  private static HttpClient client;
  private static Socket closed;
  private static SimpleMeterRegistry registry;
  private static final RevisionCounters counters = new RevisionCounters();
  private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

  record Reply(int status, MultiMap headers, String body) {
    String xCache() {
      return headers.get(ProxyServer.X_CACHE);
    }
  }

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    upstream = vertx.createHttpServer().requestHandler(ProxyServerTest::upstream).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String up = "http://127.0.0.1:" + upstream.actualPort();
    String down = "http://127.0.0.1:" + closedPort();

    registry = new SimpleMeterRegistry();
    AgentMetrics metrics = new AgentMetrics(registry);
    CacheRegistry caches = new CacheRegistry(new FakeTicker(), metrics);
    caches.apply("pages", CacheConfig.defaults());
    List<Route> routes = List.of(
        Policies.route("cached", "/cached", false, up, "pages", null),
        Policies.route("slow", "/slow", false, up, "pages", null),
        Policies.route("cookie", "/cookie", false, up, "pages", null),
        Policies.route("plain", "/plain", false, up, null, null),
        Policies.route("orphan", "/orphan", false, up, "not-applied", null),
        Policies.route("echo", "/echo", false, up, null, null),
        Policies.route("hop", "/hop", true, up, null, null),
        Policies.route("hang", "/hang", true, up, null, "200ms"),
        Policies.route("down", "/down", true, down, null, null),
        Policies.route("based", "/based", false, up + "/base/", null, null));
    AtomicReference<RouteTable> table = new AtomicReference<>(
        RouteTable.of(RouteCompiler.compile("shop", Policies.routePolicy(routes.toArray(Route[]::new)),
            BackendResolver.clusterDns("test"))));
    counters.track(List.of(
        new PolicyState(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "u1", 1, "r1", PolicyState.Track.canary,
            PolicyState.State.Applied, null, null, null, true),
        new PolicyState(CacheplaneApi.KIND_CACHE_POLICY, "pages", "u2", 1, "c1", PolicyState.Track.stable,
            PolicyState.State.Applied, null, null, null, true)));
    proxy = new ProxyServer(vertx, table::get, caches, metrics, counters);
    proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.port()),
        new PoolOptions().setHttp1MaxSize(1000));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      proxy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (closed != null) {
      closed.close();
    }
  }

  private static void upstream(HttpServerRequest req) {
    String path = req.path();
    int n = calls.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
    var resp = req.response();
    if (path.startsWith("/slow")) {
      // answer later so that concurrent misses overlap (the assertions do not depend on it)
      vertx.setTimer(300, t -> {
        if (path.contains("cookie")) {
          resp.putHeader("Set-Cookie", "s=" + n);
        }
        resp.end("slow " + path);
      });
    } else if (path.equals("/cookie")) {
      resp.putHeader("Set-Cookie", "session=" + n).end("cookie #" + n);
    } else if (path.equals("/hang")) {
      // never answers
    } else if (path.startsWith("/echo") || path.startsWith("/base")) {
      req.body().onSuccess(body -> {
        String headers = req.headers().entries().stream()
            .map(e -> e.getKey().toLowerCase() + ": " + e.getValue())
            .sorted()
            .collect(Collectors.joining("\n"));
        resp.end(req.method() + " " + req.uri() + " body=" + body.length() + "\n" + headers);
      });
    } else if (path.equals("/hop")) {
      resp.putHeader("Connection", "X-Up-Hop").putHeader("X-Up-Hop", "1").putHeader("X-Up-Keep", "1")
          .putHeader("Proxy-Foo", "x").end("hop");
    } else {
      resp.putHeader("Content-Type", "text/plain").end("hello " + path + " #" + n);
    }
  }

  /**
   * Sends one request through the proxy and reads the whole reply. Called from the test thread, not from a Vert.x
   * context, so the body must be read in a stage chained onto {@code send()} inside the request callback (which runs
   * on the request's context): Vert.x emits the response body once, right after the head, and drops it if nobody
   * listens yet. A flat {@code .compose(req -> req.send()).compose(resp -> resp.body())} attaches the body reader
   * from the test thread, too late when the reply has already arrived, and reads an empty body.
   */
  private static Future<Reply> send(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    RequestOptions o = new RequestOptions().setMethod(method).setURI(uri);
    headers.forEach(o::putHeader);
    return client.request(o)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  private static Reply get(String uri) throws Exception {
    return get(uri, Map.of());
  }

  private static Reply get(String uri, Map<String, String> headers) throws Exception {
    return send(HttpMethod.GET, uri, headers, null).toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static int calls(String path) {
    AtomicInteger n = calls.get(path);
    return n == null ? 0 : n.get();
  }

  /**
   * A local port nothing listens on, for the lifetime of the class. The port stays bound by a socket that never
   * listens, so connecting to it is refused, and no other process can take it over while the class runs (a port that
   * was merely free a moment ago can be bound by anything else on a busy machine).
   */
  private static int closedPort() throws IOException {
    Socket s = new Socket();
    s.setReuseAddress(false);
    s.bind(new InetSocketAddress("127.0.0.1", 0));
    closed = s;
    return s.getLocalPort();
  }

  @Test
  void missThenHit() throws Exception {
    Reply first = get("/cached/a?utm=1");
    assertThat(first.status()).isEqualTo(200);
    assertThat(first.xCache()).isEqualTo("MISS");
    assertThat(first.body()).isEqualTo("hello /cached/a #1");

    Reply second = get("/cached/a?utm=2");
    assertThat(second.xCache()).isEqualTo("HIT");
    assertThat(second.body()).isEqualTo(first.body());
    assertThat(second.headers().get("Content-Type")).isEqualTo("text/plain");
    assertThat(second.headers().get("Age")).isEqualTo("0");
    assertThat(calls("/cached/a")).isEqualTo(1);

    assertThat(registry.get(AgentMetrics.CACHE_HITS).tag("cache", "pages").counter().count()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void thousandConcurrentMissesMakeOneUpstreamCall() throws Exception {
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      replies.add(send(HttpMethod.GET, "/slow/one", Map.of(), null));
    }
    Future.all(replies).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);

    assertThat(calls("/slow/one")).isEqualTo(1);
    assertThat(replies).allSatisfy(f -> {
      assertThat(f.result().status()).isEqualTo(200);
      assertThat(f.result().body()).isEqualTo("slow /slow/one");
    });
    assertThat(replies.stream().filter(f -> "MISS".equals(f.result().xCache()))).hasSize(1);
    assertThat(replies.stream().filter(f -> "HIT".equals(f.result().xCache()))).hasSize(999);
  }

  @Test
  void waitersGoUpstreamThemselvesWhenTheResponseIsNotCacheable() throws Exception {
    List<Future<Reply>> replies = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      replies.add(send(HttpMethod.GET, "/slow/cookie", Map.of(), null));
    }
    Future.all(replies).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    assertThat(calls("/slow/cookie")).isEqualTo(20);
    assertThat(replies).allSatisfy(f -> assertThat(f.result().xCache()).isEqualTo("MISS"));
  }

  @Test
  void setCookieResponsesAreNotStored() throws Exception {
    Reply first = get("/cookie");
    Reply second = get("/cookie");
    assertThat(first.xCache()).isEqualTo("MISS");
    assertThat(second.xCache()).isEqualTo("MISS");
    assertThat(second.headers().get("Set-Cookie")).isEqualTo("session=2");
    assertThat(calls("/cookie")).isEqualTo(2);
  }

  @Test
  void routesWithoutCacheBypass() throws Exception {
    assertThat(get("/plain/x").xCache()).isEqualTo("BYPASS");
    assertThat(get("/plain/x").xCache()).isEqualTo("BYPASS");
    assertThat(calls("/plain/x")).isEqualTo(2);
  }

  @Test
  void routeWhoseCacheIsNotAppliedBypassesAndIsCounted() throws Exception {
    Reply r = get("/orphan/x");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.xCache()).isEqualTo("BYPASS");
    assertThat(registry.get(AgentMetrics.ROUTE_CACHE_NOT_APPLIED)
        .tags("policy", "shop", "route", "orphan", "cache", "not-applied").counter().count()).isEqualTo(1);
  }

  @Test
  void uncacheableMethodBypassesTheCache() throws Exception {
    Reply r = send(HttpMethod.POST, "/cached/post", Map.of(), Buffer.buffer("x"))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(r.xCache()).isEqualTo("BYPASS");
  }

  @Test
  void noRouteIs404NamingMethodAndPath() throws Exception {
    Reply r = get("/nowhere?x=1");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.headers().get("Content-Type")).startsWith("text/plain");
    assertThat(r.body()).contains("no route for GET /nowhere");
    assertThat(registry.get(AgentMetrics.REQUESTS).tags("route", "none", "status", "4xx").counter().count())
        .isGreaterThanOrEqualTo(1);
  }

  private static int allCalls() {
    return calls.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  @Test
  void dotSegmentsAndEncodedSlashesAre400AndNeverReachTheUpstream() throws Exception {
    // Without normalisation /cached/../plain matched the cached route while an upstream resolving dot segments
    // served /plain; the answer was then cached under /cached.
    int before = allCalls();
    for (String uri : List.of("/cached/../plain", "/cached/%2e%2e/plain", "/cached/%2E./plain", "/cached/./plain",
        "/echo/%2e%2e/admin", "/echo/a%2fb", "/echo/a%5c..%5cb", "/echo/a%00")) {
      Reply r = get(uri);
      assertThat(r.status()).as(uri).isEqualTo(400);
      assertThat(r.headers().get("Content-Type")).as(uri).startsWith("text/plain");
      assertThat(r.body()).as(uri).startsWith("cacheplane: path must not contain");
      assertThat(r.xCache()).as(uri).isNull();
    }
    assertThat(get("/cached/../plain").body()).isEqualTo("cacheplane: path must not contain dot segments\n");
    assertThat(allCalls()).as("upstream calls").isEqualTo(before);
    assertThat(calls("/plain")).isZero();
  }

  @Test
  void encodedUnreservedCharactersAreDecodedForMatchingKeyingAndForwarding() throws Exception {
    Reply r = get("/%65cho/%7Euser/a.b?q=%2e%2e");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.body()).as("normalised path, query as sent").startsWith("GET /echo/~user/a.b?q=%2e%2e body=0");

    Reply miss = get("/cached/%61lias");
    Reply hit = get("/cached/alias");
    assertThat(miss.xCache()).isEqualTo("MISS");
    assertThat(hit.xCache()).as("one cache key for both spellings").isEqualTo("HIT");
    assertThat(calls("/cached/alias")).isEqualTo(1);
  }

  @Test
  void upstreamDownIs502() throws Exception {
    assertThat(get("/down").status()).isEqualTo(502);
  }

  @Test
  void slowUpstreamBeyondTheTimeoutIs504() throws Exception {
    assertThat(get("/hang").status()).isEqualTo(504);
  }

  @Test
  void hopByHopHeadersAreDroppedAndForwardingHeadersAdded() throws Exception {
    Reply r = get("/echo/h?q=1", Map.of("Connection", "X-Drop-Me", "X-Drop-Me", "1", "Keep-Alive", "timeout=5",
        "Proxy-Authorization", "secret", "X-Keep", "yes", "X-Forwarded-For", "10.0.0.1"));
    assertThat(r.body()).startsWith("GET /echo/h?q=1 body=0");
    assertThat(r.body()).contains("x-keep: yes", "x-forwarded-for: 10.0.0.1, 127.0.0.1", "x-forwarded-proto: http",
        "x-forwarded-host: 127.0.0.1:" + proxy.port());
    assertThat(r.body()).doesNotContain("x-drop-me", "keep-alive", "proxy-authorization");

    Reply hop = get("/hop");
    assertThat(hop.headers().get("X-Up-Keep")).isEqualTo("1");
    assertThat(hop.headers().contains("X-Up-Hop")).isFalse();
    assertThat(hop.headers().contains("Proxy-Foo")).isFalse();
  }

  @Test
  void requestBodiesAreForwardedAndBasePathsPrepended() throws Exception {
    Reply r = send(HttpMethod.POST, "/based/x", Map.of(), Buffer.buffer("hello"))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(r.body()).startsWith("POST /base/based/x body=5");
  }

  @Test
  void oversizedRequestBodyIs413() throws Exception {
    // Only the head is sent: the proxy must answer from Content-Length alone, without reading the body.
    String head = "POST /echo/big HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: "
        + (ProxyServer.MAX_REQUEST_BODY + 1) + "\r\n\r\n";
    Buffer received = Buffer.buffer();
    io.vertx.core.Promise<String> statusLine = io.vertx.core.Promise.promise();
    vertx.createNetClient().connect(proxy.port(), "127.0.0.1").onSuccess(socket -> {
      socket.handler(b -> {
        received.appendBuffer(b);
        String text = received.toString();
        if (text.contains("\r\n")) {
          statusLine.tryComplete(text.substring(0, text.indexOf("\r\n")));
        }
      });
      socket.write(head);
    }).onFailure(statusLine::tryFail);
    assertThat(statusLine.future().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS))
        .isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(calls("/echo/big")).isZero();
  }

  @Test
  void reportCountersCountAnswersErrorsAndUpstreamFailuresPerPolicy() throws Exception {
    Counters shop0 = counters.read(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "r1");
    Counters pages0 = counters.read(CacheplaneApi.KIND_CACHE_POLICY, "pages", "c1");
    assertThat(get("/plain/counted").status()).isEqualTo(200);
    assertThat(get("/cached/counted").status()).isEqualTo(200);
    assertThat(get("/cached/counted").xCache()).isEqualTo("HIT");
    assertThat(get("/down").status()).isEqualTo(502);
    assertThat(get("/hang").status()).isEqualTo(504);
    assertThat(get("/nowhere/counted").status()).as("no route: no policy to count for").isEqualTo(404);

    Counters shop = counters.read(CacheplaneApi.KIND_ROUTE_POLICY, "shop", "r1");
    Counters pages = counters.read(CacheplaneApi.KIND_CACHE_POLICY, "pages", "c1");
    assertThat(shop.requests() - shop0.requests()).isEqualTo(5);
    assertThat(shop.errors5xx() - shop0.errors5xx()).isEqualTo(2);
    assertThat(shop.upstreamErrors() - shop0.upstreamErrors()).isEqualTo(2);
    assertThat(pages.requests() - pages0.requests()).as("the miss and the hit through the cache").isEqualTo(2);
    assertThat(pages.errors5xx() - pages0.errors5xx()).isZero();
  }
}

package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheScope;
import io.cacheplane.api.v1alpha1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Zero cross-scope answers: random tenants and users send interleaved (concurrent) requests through the proxy to an
 * upstream that echoes the scope header, path and query; every answer, hit or miss, must be the requester's own.
 * The Tenant cache also keys on a query parameter and the User cache lets Authorization and Cookie through, so
 * entries of many scopes share paths.
 */
class ScopeIsolationProperties {

  private static Vertx vertx;
  private static ProxyServer proxy;
  private static HttpClient client;

  /** One request: route (tenant, user or unscoped global), identity (null: header absent), path, credentials. */
  record Call(String route, String identity, String path, String page, boolean credentials) {
    String header() {
      return route.equals("tenant") ? "X-Tenant" : "X-User";
    }
  }

  record Answer(int status, String xCache, String body) {}

  @BeforeContainer
  static void start() throws Exception {
    vertx = Vertx.vertx();
    HttpServer upstream = vertx.createHttpServer().requestHandler(req -> req.response()
            .end(req.path() + "?" + req.query() + " tenant=" + req.getHeader("X-Tenant") + " user="
                + req.getHeader("X-User")))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    String up = "http://127.0.0.1:" + upstream.actualPort();
    CacheRegistry caches = new CacheRegistry(new FakeTicker(), new AgentMetrics(new SimpleMeterRegistry()));
    CachePolicySpec tenant = new CachePolicySpec();
    tenant.setScope(CacheScope.Tenant);
    tenant.setScopeHeader("X-Tenant");
    CacheKeySpec key = new CacheKeySpec();
    key.setQueryParameters(List.of("page"));
    tenant.setKey(key);
    CachePolicySpec user = new CachePolicySpec();
    user.setScope(CacheScope.User);
    user.setScopeHeader("x-user");
    caches.apply("tenant", CacheConfig.from(tenant));
    caches.apply("user", CacheConfig.from(user));
    caches.apply("global", CacheConfig.defaults());
    List<Route> routes = List.of(Policies.route("tenant", "/tenant", false, up, "tenant", null),
        Policies.route("user", "/user", false, up, "user", null),
        Policies.route("global", "/global", false, up, "global", null));
    AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.of(RouteCompiler.compile("scopes",
        Policies.routePolicy(routes.toArray(Route[]::new)), BackendResolver.clusterDns("test"))));
    proxy = new ProxyServer(vertx, table::get, caches, new AgentMetrics(new SimpleMeterRegistry()));
    proxy.listen("127.0.0.1", 0).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.port()),
        new PoolOptions().setHttp1MaxSize(64));
  }

  @AfterContainer
  static void stop() throws Exception {
    if (vertx != null) {
      proxy.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Provide
  Arbitrary<List<Call>> interleavings() {
    Arbitrary<Call> call = Combinators.combine(
        Arbitraries.of("tenant", "user", "global"),
        Arbitraries.of("a", "b", "c", "A", "a ", "a,b").injectNull(0.1),
        Arbitraries.of("/one", "/two", "/x/y"),
        Arbitraries.of("1", "2"),
        Arbitraries.of(true, false)).as(Call::new);
    return call.list().ofMinSize(2).ofMaxSize(40);
  }

  @Property(tries = 60)
  void noAnswerCrossesScopes(@ForAll("interleavings") List<Call> calls) throws Exception {
    List<Future<Answer>> sent = new ArrayList<>();
    for (Call c : calls) {
      RequestOptions o = new RequestOptions().setMethod(HttpMethod.GET)
          .setURI("/" + c.route() + c.path() + "?page=" + c.page());
      if (c.identity() != null && !c.route().equals("global")) {
        o.putHeader(c.header(), c.identity());
      }
      if (c.credentials()) {
        o.putHeader("Authorization", "Bearer " + c.identity());
        o.putHeader("Cookie", "session=" + c.identity());
      }
      sent.add(client.request(o).compose(req -> req.send().compose(resp -> resp.body()
          .map(b -> new Answer(resp.statusCode(), resp.getHeader(ProxyServer.X_CACHE), b.toString())))));
    }
    Future.all(sent).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    for (int i = 0; i < calls.size(); i++) {
      Call c = calls.get(i);
      Answer a = sent.get(i).result();
      assertThat(a.status()).isEqualTo(200);
      String expectedPath = "/" + c.route() + c.path() + "?page=" + c.page();
      boolean scoped = !c.route().equals("global");
      String tenant = c.route().equals("tenant") && c.identity() != null ? c.identity().strip() : null;
      String user = c.route().equals("user") && c.identity() != null ? c.identity().strip() : null;
      if (c.route().equals("tenant")) {
        // the global cache and the tenant cache ignore the page parameter only where it is not listed
        assertThat(a.body()).as("%s answered %s", c, a).startsWith(expectedPath + " ")
            .endsWith(" tenant=" + tenant + " user=null");
      } else if (c.route().equals("user")) {
        assertThat(a.body()).as("%s answered %s", c, a).startsWith("/user" + c.path() + "?")
            .endsWith(" tenant=null user=" + user);
      } else {
        assertThat(a.body()).as("%s answered %s", c, a).startsWith("/global" + c.path() + "?")
            .endsWith(" tenant=null user=null");
      }
      boolean bypass = (scoped && c.identity() == null) || (c.credentials() && !c.route().equals("user"))
          || (c.route().equals("user") && c.identity() == null);
      if (bypass) {
        assertThat(a.xCache()).as("%s", c).isEqualTo("BYPASS");
      } else {
        assertThat(a.xCache()).as("%s", c).isIn("HIT", "MISS");
      }
    }
  }
}

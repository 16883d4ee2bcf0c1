package io.cacheplane.agent.proxy;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.ProxyLimits;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.report.RevisionCounters;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.v1alpha1.Route;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
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
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A proxy on a real Vert.x server with a client in front of it, for the proxy tests. */
final class ProxyFixture implements AutoCloseable {

  record Reply(int status, MultiMap headers, String body) {
    String xCache() {
      return headers.get(ProxyServer.X_CACHE);
    }
  }

  final Vertx vertx;
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final CacheRegistry caches;
  final ProxyServer proxy;
  final HttpClient client;

  /**
   * @param caches cache name → config applied before the proxy starts
   */
  ProxyFixture(Vertx vertx, List<Route> routes, Map<String, CacheConfig> caches, ProxyLimits limits, Path caFile)
      throws Exception {
    this(vertx, routes, caches, limits, caFile, BackendResolver.clusterDns("test"));
  }

  ProxyFixture(Vertx vertx, List<Route> routes, Map<String, CacheConfig> caches, ProxyLimits limits, Path caFile,
      BackendResolver resolver) throws Exception {
    this.vertx = vertx;
    AgentMetrics metrics = new AgentMetrics(registry);
    this.caches = new CacheRegistry(new FakeTicker(), metrics);
    caches.forEach(this.caches::apply);
    RouteTable table = RouteTable.of(RouteCompiler.compile("shop", Policies.routePolicy(routes.toArray(Route[]::new)),
        resolver));
    proxy = new ProxyServer(vertx, () -> table, this.caches, metrics, new RevisionCounters(), limits, caFile);
    await(proxy.listen("127.0.0.1", 0));
    client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(proxy.port()),
        new PoolOptions().setHttp1MaxSize(100));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static HttpServer upstream(Vertx vertx, Handler<HttpServerRequest> handler) throws Exception {
    return await(vertx.createHttpServer().requestHandler(handler).listen(0, "127.0.0.1"));
  }

  /** Sends one request and reads the whole reply (body read in a stage chained onto send(), see ProxyServerTest). */
  Future<Reply> send(HttpMethod method, String uri, Map<String, String> headers, Buffer body) {
    RequestOptions o = new RequestOptions().setMethod(method).setURI(uri);
    headers.forEach(o::putHeader);
    return client.request(o)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> new Reply(resp.statusCode(), resp.headers(), b.toString()))));
  }

  Reply call(HttpMethod method, String uri, Map<String, String> headers) throws Exception {
    return await(send(method, uri, headers, null));
  }

  Reply get(String uri) throws Exception {
    return call(HttpMethod.GET, uri, Map.of());
  }

  double counter(String name, String route) {
    var c = registry.find(name).tags("policy", "shop", "route", route).counter();
    return c == null ? 0 : c.count();
  }

  /** Upstream attempts of a route of policy {@code shop} timed with {@code outcome}. */
  long upstreamAttempts(String route, String outcome) {
    var t = registry.find(AgentMetrics.UPSTREAM_DURATION).tags("policy", "shop", "route", route, "outcome", outcome)
        .timer();
    return t == null ? 0 : t.count();
  }

  @Override
  public void close() throws Exception {
    client.close();
    await(proxy.close());
  }
}

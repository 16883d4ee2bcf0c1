package io.cacheplane.local;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small upstream for local mode and system tests: one loopback HTTP port per service name. Every answer is
 * JSON naming the service, the path and a per-service request counter, so a cached answer is easy to tell from
 * a fresh one; {@code /api/cart} answers carry {@code Cache-Control: no-store}; the {@value #FAILING} service
 * answers 500.
 */
public final class DemoUpstream implements AutoCloseable {

  /** The service name of the server that answers for services local mode does not know. */
  public static final String FALLBACK = "any-other-service";
  /** The service name of a server that answers every request with 500, to show an unhealthy canary. */
  public static final String FAILING = "failing";

  private final Map<String, HttpServer> servers = new LinkedHashMap<>();
  private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();

  private DemoUpstream() {}

  /**
   * Starts one server per service on an ephemeral loopback port.
   *
   * @throws IllegalStateException when a port cannot be bound within 10 seconds
   */
  public static DemoUpstream start(Vertx vertx, List<String> services) {
    DemoUpstream upstream = new DemoUpstream();
    for (String service : services) {
      AtomicLong counter = upstream.requests.computeIfAbsent(service, s -> new AtomicLong());
      HttpServer server = vertx.createHttpServer().requestHandler(req -> {
        long n = counter.incrementAndGet();
        JsonObject body = new JsonObject()
            .put("service", service)
            .put("method", req.method().name())
            .put("path", req.path())
            .put("query", req.query())
            .put("request", n);
        req.response()
            .setStatusCode(FAILING.equals(service) ? 500 : 200)
            .putHeader("Content-Type", "application/json")
            .putHeader("X-Upstream", service)
            .putHeader("Cache-Control", req.path().startsWith("/api/cart") ? "no-store" : "max-age=300")
            .end(body.encode() + "\n");
      });
      try {
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("demo upstream " + service + " could not listen: " + e.getMessage(), e);
      }
      upstream.servers.put(service, server);
    }
    return upstream;
  }

  /** The loopback port of a service, or -1 when this upstream does not serve it. */
  public int port(String service) {
    HttpServer server = servers.get(service);
    return server == null ? -1 : server.actualPort();
  }

  /** Requests a service has answered so far. */
  public long requests(String service) {
    AtomicLong n = requests.get(service);
    return n == null ? 0 : n.get();
  }

  /** Service name → loopback port. */
  public Map<String, Integer> ports() {
    Map<String, Integer> ports = new LinkedHashMap<>();
    servers.forEach((name, server) -> ports.put(name, server.actualPort()));
    return ports;
  }

  @Override
  public void close() {
    servers.values().forEach(HttpServer::close);
  }
}

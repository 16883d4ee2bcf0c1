package io.cacheplane.agent.proxy;

import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CacheKeys;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.cache.Cacheability;
import io.cacheplane.agent.cache.CachedResponse;
import io.cacheplane.agent.cache.Freshness;
import io.cacheplane.agent.cache.RequestScope;
import io.cacheplane.agent.cache.ResponseCache;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.report.RevisionCounters;
import io.vertx.core.AbstractVerticle;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import java.time.Instant;
import io.cacheplane.agent.ProxyLimits;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The caching reverse proxy on the traffic port. Per request:
 * <ol>
 *   <li>request limits, checked first ({@link ProxyLimits}): a URI longer than {@code maxUriLength} → 414, request
 *       headers larger than {@code maxHeaderSize} → 431, a body larger than {@code maxRequestBody} → 413 (a declared
 *       {@code Content-Length} is refused before reading, once a route matched; a chunked body when it passes the
 *       bound; {@code 100 Continue} is sent only once the request is within these limits); over HTTP/2 the header
 *       size is checked here too ({@link RequestLimits#headerBytes}); a client connection idle for
 *       {@code clientIdleTimeout} is closed;
 *   <li>over HTTP/1.x, more than one {@code Host} header, or none on HTTP/1.1, → 400 (RFC 9112 §3.2);
 *   <li>normalise the path with {@link RequestPaths#normalize} (dot segments, encoded slashes, backslashes and control
 *       characters → 400); the normalised path is used for matching, the cache key and the upstream request;
 *   <li>match a route in the current {@link RouteTable} (none → 404, plain text naming method and path);
 *   <li>read the request body (buffered, so that a retry can send it again; at most ProxyLimits.maxRequestBody bytes, else 413);
 *   <li>if the route references a CachePolicy applied here, the method is cacheable and {@link RequestScope} allows
 *       (scope header present for Tenant/User; no Authorization or Cookie unless User): look the
 *       {@link CacheKeys key} up (the key includes the X-Forwarded-Host/-Proto sent upstream when they are not the
 *       request's own, {@link CacheKeys#forwarded}); a fresh entry is served with {@code X-Cache: HIT}; an entry within
 *       staleWhileRevalidate is served with {@code X-Cache: STALE} and refreshed by one background request; otherwise
 *       the request goes upstream (concurrent misses on one key share one call, see
 *       {@link io.cacheplane.agent.cache.Coalescer}), the answer is stored when {@link Cacheability} allows, and is
 *       served with {@code X-Cache: MISS} — unless the upstream fails (connect error, timeout, 5xx) while an entry is
 *       within staleIfError, which is then served with {@code X-Cache: STALE};
 *   <li>otherwise the request goes upstream uncached, {@code X-Cache: BYPASS} (a reference to a CachePolicy that is
 *       not applied here is also counted in {@value AgentMetrics#ROUTE_CACHE_NOT_APPLIED});
 *   <li>the upstream exchange ({@link UpstreamCall}): backend picked by weight, path rewritten
 *       ({@link CompiledRoute#upstreamPath}) under the backend's base path, request header modifier applied,
 *       retries within the route's budget; the route timeout bounds it all;
 *   <li>upstream timeout → 504, any other upstream failure → 502.
 * </ol>
 * Hop-by-hop headers are dropped both ways; {@code X-Forwarded-For} is appended to, {@code X-Forwarded-Proto} and
 * {@code X-Forwarded-Host} are set unless present; then the route's request header modifier is applied. The route's
 * response header modifier is applied before a response is stored, so cached answers carry it; an answer carrying
 * {@code Set-Cookie} after it is not stored. The agent's own answers (400, 404, 413, 414, 431, 502, 504) carry no
 * {@code X-Cache}. Redirects are passed
 * through, never followed. A response header the client must not receive (CR or LF in its value) is dropped.
 *
 * <p>Response bodies: on a route with an applied cache, a body within the cache's {@code maxEntrySize} is buffered (so
 * it can be stored); a longer one (declared or found while reading), and every body on a route without a cache, is
 * streamed to the client with back-pressure and never held whole ({@link ResponseStreams}).
 *
 * <p>Every answer of a matched route is counted in the Micrometer meters and in the {@link RevisionCounters} of the
 * agent report (toward the route's RoutePolicy and its CachePolicy): 5xx = status ≥ 500, the proxy's own 502/504
 * included; upstream errors = answers caused by an upstream failure (connect error, timeout, broken exchange; also
 * for the waiters of a coalesced miss that failed).
 *
 * <p>The server runs as one verticle instance per core on the given Vert.x, all sharing one port.
 */
public final class ProxyServer {

  /** Default largest request body accepted, bytes (10 MiB, {@link ProxyLimits#DEFAULTS}); larger → 413. */
  public static final long MAX_REQUEST_BODY = ProxyLimits.DEFAULTS.maxRequestBody();
  /**
   * Response header telling how the cache took part: {@code HIT} (fresh entry), {@code MISS} (went upstream, stored
   * when cacheable), {@code STALE} (an entry past its freshness, within staleWhileRevalidate or, on upstream failure,
   * staleIfError) or {@code BYPASS} (the cache was not used).
   */
  public static final String X_CACHE = "X-Cache";
  static final String HIT = "HIT";
  static final String MISS = "MISS";
  static final String STALE = "STALE";
  static final String BYPASS = "BYPASS";

  private static final Logger LOG = Logger.getLogger(ProxyServer.class);
  private static final AtomicInteger RANDOM_PORT_GROUPS =
      new AtomicInteger();
  private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect", "x-forwarded-for");

  private final Vertx vertx;
  private final Supplier<RouteTable> routes;
  private final CacheRegistry caches;
  private final UpstreamClient upstream;
  private final UpstreamCall exchange;
  private final ProxyLimits limits;
  private final WarningGate tlsWarnings = new WarningGate(60_000_000_000L, System::nanoTime);
  private final AgentMetrics metrics;
  private final RevisionCounters counters;
  private final List<String> deployments = new ArrayList<>();
  private volatile int port = -1;

  /** A proxy whose requests go to no report counters (tests). */
  public ProxyServer(Vertx vertx, Supplier<RouteTable> routes, CacheRegistry caches, AgentMetrics metrics) {
    this(vertx, routes, caches, metrics, new RevisionCounters());
  }

  /** A proxy with the default {@link ProxyLimits} trusting the JVM's certificate authorities. */
  public ProxyServer(Vertx vertx, Supplier<RouteTable> routes, CacheRegistry caches, AgentMetrics metrics,
      RevisionCounters counters) {
    this(vertx, routes, caches, metrics, counters, ProxyLimits.DEFAULTS, null);
  }

  /**
   * @param counters the per-revision counters of the agent report, counted for every answer of a matched route
   * @param limits bounds on client requests
   * @param upstreamCaFile PEM bundle of certificate authorities trusted for https upstreams besides the JVM's, or
   *     {@code null}
   * @throws IllegalArgumentException when the CA bundle cannot be read ({@link UpstreamTrust#load})
   */
  public ProxyServer(Vertx vertx, Supplier<RouteTable> routes, CacheRegistry caches, AgentMetrics metrics,
      RevisionCounters counters, ProxyLimits limits, Path upstreamCaFile) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.routes = Objects.requireNonNull(routes, "routes");
    this.caches = Objects.requireNonNull(caches, "caches");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.counters = Objects.requireNonNull(counters, "counters");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.upstream = new UpstreamClient(vertx, upstreamCaFile);
    this.exchange = new UpstreamCall(vertx, upstream, metrics);
  }

  /**
   * Binds the traffic port with one server per core, all sharing the port (Vert.x server sharing). Port 0 is mapped
   * to a negative port private to this proxy, which Vert.x reads as "one random port shared by these servers"; so
   * several agents on one Vert.x instance never share a port by accident.
   *
   * @return the bound port
   */
  public Future<Integer> listen(String host, int requestedPort) {
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    int listenPort = requestedPort == 0 ? -RANDOM_PORT_GROUPS.incrementAndGet() : requestedPort;
    List<Listener> listeners = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      Listener l = new Listener(host, listenPort);
      listeners.add(l);
      return l;
    }, new DeploymentOptions().setInstances(instances)).map(id -> {
      synchronized (deployments) {
        deployments.add(id);
      }
      port = listeners.get(0).actualPort;
      return port;
    });
  }

  /** The bound port, or -1 before {@link #listen} completed. */
  public int port() {
    return port;
  }

  /** Whether the traffic port is bound. */
  public boolean listening() {
    return port > 0;
  }

  /** Stops listening and closes the upstream pool. */
  public Future<Void> close() {
    List<String> ids;
    synchronized (deployments) {
      ids = new ArrayList<>(deployments);
      deployments.clear();
    }
    port = -1;
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : ids) {
      undeploys.add(vertx.undeploy(id));
    }
    return Future.join(undeploys).<Void>mapEmpty().eventually(() -> {
      upstream.close();
      return Future.succeededFuture();
    });
  }

  private final class Listener extends AbstractVerticle {
    private final String host;
    private final int requestedPort;
    private volatile int actualPort;

    Listener(String host, int requestedPort) {
      this.host = host;
      this.requestedPort = requestedPort;
    }

    @Override
    public void start(Promise<Void> started) {
      HttpServerOptions options = RequestLimits.serverOptions(limits)
          .setHandle100ContinueAutomatically(false) // 100 Continue only once the request is within limits
          .setCompressionSupported(false);
      vertx.createHttpServer(options)
          .requestHandler(ProxyServer.this::handle)
          .listen(requestedPort, host)
          .onSuccess(s -> {
            actualPort = s.actualPort();
            started.complete();
          })
          .onFailure(started::fail);
    }
  }

  void handle(HttpServerRequest req) {
    String method = req.method().name();
    if (req.uri().length() > limits.maxUriLength()) {
      closeAfter(req);
      plain(req, 414, "cacheplane: request URI longer than " + limits.maxUriLength() + " characters\n");
      metrics.request(AgentMetrics.NONE, AgentMetrics.NONE, 414);
      return;
    }
    if (req.version() == HttpVersion.HTTP_2 && RequestLimits.headerBytes(req.headers()) > limits.maxHeaderSize()) {
      // HTTP/1.x header blocks are bounded by the Vert.x decoder (431); HTTP/2 ones are checked here.
      plain(req, 431, "cacheplane: request headers larger than " + limits.maxHeaderSize() + " bytes\n");
      metrics.request(AgentMetrics.NONE, AgentMetrics.NONE, 431);
      return;
    }
    String badHost = hostProblem(req);
    if (badHost != null) {
      closeAfter(req);
      plain(req, 400, "cacheplane: " + badHost + "\n");
      metrics.request(AgentMetrics.NONE, AgentMetrics.NONE, 400);
      return;
    }
    String path;
    try {
      // Match, key and forward on the normalised path, never on the raw one: otherwise /api/products/../cart (or
      // %2e%2e) matches the /api/products route, and an upstream that resolves dot segments is reached outside the
      // route's prefix and its answer is cached under another route. See RequestPaths.
      path = RequestPaths.normalize(req.path());
    } catch (RequestPaths.RejectedPathException e) {
      plain(req, 400, "cacheplane: " + e.getMessage() + "\n");
      metrics.request(AgentMetrics.NONE, AgentMetrics.NONE, 400);
      return;
    }
    MultiMap headers = req.headers();
    CompiledRoute route = routes.get().match(method, path, headers::getAll);
    if (route == null) {
      if (expectsContinue(req)) {
        closeAfter(req); // the body was never asked for: do not read it as the next request
      }
      plain(req, 404, "cacheplane: no route for " + method + " " + abbreviate(path) + "\n");
      metrics.request(AgentMetrics.NONE, AgentMetrics.NONE, 404);
      return;
    }
    String declared = req.getHeader("Content-Length");
    long maxBody = limits.maxRequestBody();
    if (declared != null && tooLarge(declared, maxBody)) {
      closeAfter(req);
      answered(route, 413, false);
      plain(req, 413, "request body larger than " + maxBody + " bytes\n");
      return;
    }
    if (expectsContinue(req)) {
      req.response().writeContinue(); // within limits: ask for the body (RFC 9110 §10.1.1)
    }
    Bodies.collect(req, maxBody).onComplete(ar -> {
      if (ar.succeeded()) {
        dispatch(req, path, route, ar.result());
      } else if (ar.cause() instanceof Bodies.TooLargeException) {
        closeAfter(req);
        answered(route, 413, false);
        plain(req, 413, "request body larger than " + maxBody + " bytes\n");
      }
      // otherwise the client went away while sending: nothing to answer
    });
  }

  private void dispatch(HttpServerRequest req, String path, CompiledRoute route, Buffer body) {
    String ref = route.cachePolicyRef();
    ResponseCache cache = ref == null ? null : caches.get(ref);
    if (ref != null && cache == null) {
      metrics.cacheNotApplied(route.policy(), route.name(), ref);
    }
    if (cache == null || !cache.config().cacheableMethod(req.method().name())) {
      forward(req, path, route, body, null, null, false, null);
      return;
    }
    CacheConfig config = cache.config();
    RequestScope scope = RequestScope.of(config, req.headers()::getAll);
    if (scope.bypass() != null) {
      forward(req, path, route, body, null, null, false, null); // no key is made: nothing personal is kept
      return;
    }
    String key = cache.storageKey(CacheKeys.key(config.key(), req.method().name(), authority(req),
        req.isSSL(), path, req.query(), req.headers()::getAll, forwarded(req, route), scope.scope()));
    ResponseCache.Lookup found = cache.lookup(key);
    if (found != null && found.state() == Freshness.State.FRESH) {
      serveHit(req, route, cache, found.response(), HIT);
      return;
    }
    if (found != null && found.state() == Freshness.State.STALE_WHILE_REVALIDATE) {
      serveHit(req, route, cache, found.response(), STALE);
      if (cache.coalescer().joinOrLead(key) == null) {
        refresh(req, path, route, body, cache, key); // the one background refresh; others are already served
      }
      return;
    }
    CachedResponse stale = found != null && found.usableOnError() ? found.response() : null;
    Future<CachedResponse> leader = cache.coalescer().joinOrLead(key);
    if (leader != null) {
      Context ctx = vertx.getOrCreateContext();
      leader.onComplete(ar -> ctx.runOnContext(v -> {
        if (ar.failed()) {
          if (stale != null) {
            serveHit(req, route, cache, stale, STALE);
          } else {
            fail(req, route, ar.cause());
          }
        } else if (ar.result() != null) {
          serveHit(req, route, cache, ar.result(), HIT);
        } else {
          forward(req, path, route, body, cache, key, false, stale); // not cacheable: go upstream alone
        }
      }));
      return;
    }
    ResponseCache.Lookup again = cache.lookup(key); // stored between our lookup and becoming leader?
    if (again != null && again.state() == Freshness.State.FRESH) {
      cache.coalescer().finish(key, again.response());
      serveHit(req, route, cache, again.response(), HIT);
      return;
    }
    forward(req, path, route, body, cache, key, true, stale);
  }

  /**
   * Calls the upstream and answers. With a cache, the response is stored when cacheable ({@code MISS}); the leader of
   * a coalesced miss then releases its waiters. With a {@code stale} entry (within staleIfError), an upstream failure
   * or 5xx answer is replaced by the stale entry ({@code STALE}).
   *
   * @param path the normalised request path ({@link RequestPaths#normalize}), sent upstream with the original query
   */
  private void forward(HttpServerRequest req, String path, CompiledRoute route, Buffer body, ResponseCache cache,
      String key, boolean leader, CachedResponse stale) {
    // Within maxEntrySize the body is read whole so that it can be stored; beyond it, and without a cache, it streams.
    long bufferLimit = cache == null ? 0 : cache.config().maxEntrySize();
    call(req, path, route, body, bufferLimit).onComplete(ar -> {
      if (ar.failed()) {
        if (leader) {
          cache.coalescer().fail(key, ar.cause());
        }
        if (stale != null) {
          serveHit(req, route, cache, stale, STALE);
        } else {
          fail(req, route, ar.cause());
        }
        return;
      }
      UpstreamClient.Response r = ar.result();
      if (stale != null && r.status() >= 500) {
        r.discard();
        if (leader) {
          cache.coalescer().fail(key, new UpstreamClient.FailureException(
              new IllegalStateException("upstream answered " + r.status())));
        }
        serveHit(req, route, cache, stale, STALE);
        return;
      }
      if (!r.complete()) {
        // Too large to buffer (or no cache): streamed, never stored.
        if (leader) {
          cache.coalescer().finish(key, null);
        }
        if (cache != null) {
          metrics.miss(cache.name());
        }
        List<Map.Entry<String, String>> headers =
            route.responseHeaderEdits().apply(Headers.endToEnd(r.headers(), Set.of()));
        answered(route, r.status(), false);
        ResponseStreams.stream(req, r, headers, X_CACHE, cache == null ? "BYPASS" : "MISS");
        return;
      }
      boolean head = req.method() == HttpMethod.HEAD;
      List<Map.Entry<String, String>> headers = route.responseHeaderEdits()
          .apply(Headers.endToEnd(r.headers(), head ? Set.of() : Set.of("content-length")));
      if (cache == null) {
        respond(req, route, r.status(), r.statusMessage(), headers, r.body(), BYPASS);
        return;
      }
      CachedResponse stored = store(cache, key, r, headers);
      if (leader) {
        cache.coalescer().finish(key, stored);
      }
      metrics.miss(cache.name());
      respond(req, route, r.status(), r.statusMessage(), headers, r.body(), MISS);
    });
  }

  /**
   * The background refresh of a stale-while-revalidate entry: the caller leads the coalesced call for {@code key}
   * and has already answered its client. The result is stored when cacheable; a failure or a 5xx leaves the stale
   * entry in place.
   */
  private void refresh(HttpServerRequest req, String path, CompiledRoute route, Buffer body, ResponseCache cache,
      String key) {
    boolean head = req.method() == HttpMethod.HEAD;
    call(req, path, route, body, cache.config().maxEntrySize()).onComplete(ar -> {
      if (ar.failed()) {
        cache.coalescer().fail(key, ar.cause());
        return;
      }
      UpstreamClient.Response r = ar.result();
      if (!r.complete()) {
        r.discard(); // grew beyond maxEntrySize: not storable, and nobody waits for it
      }
      CachedResponse stored = r.status() >= 500 || !r.complete() ? null
          : store(cache, key, r, route.responseHeaderEdits()
              .apply(Headers.endToEnd(r.headers(), head ? Set.of() : Set.of("content-length"))));
      cache.coalescer().finish(key, stored);
    });
  }

  /**
   * Sends the request upstream through the route's exchange (backend by weight, rewrite, header edits, retries);
   * never throws.
   *
   * @param bufferLimit bytes of the response body read whole before the rest is left to stream (0: stream at once)
   */
  private Future<UpstreamClient.Response> call(HttpServerRequest req, String path, CompiledRoute route, Buffer body,
      long bufferLimit) {
    try {
      return exchange.send(route, req.method(), route.upstreamPath(path), req.query(),
          route.requestHeaderEdits().apply(upstreamHeaders(req)), body, bufferLimit);
    } catch (RuntimeException e) {
      return Future.failedFuture(new UpstreamClient.FailureException(e)); // never leave coalesced waiters hanging
    }
  }

  /**
   * Stores {@code r} under {@code key} when {@link Cacheability} allows and {@code headers} (the answer after the
   * route's response header modifier, as it would be stored) carry no {@code Set-Cookie}; returns what was stored, or
   * null.
   */
  private static CachedResponse store(ResponseCache cache, String key, UpstreamClient.Response r,
      List<Map.Entry<String, String>> headers) {
    CacheConfig config = cache.config();
    long lifetime = config.honorCacheControl()
        ? Freshness.upstreamLifetimeNanos(r.headers()::getAll, Instant.now()) : CachedResponse.NO_LIFETIME;
    Cacheability.Verdict verdict = Cacheability.decide(config, r.status(), r.headers()::getAll, r.body().length(),
        lifetime);
    if (verdict != Cacheability.Verdict.STORE) {
      return null;
    }
    for (Map.Entry<String, String> h : headers) {
      if (h.getKey().equalsIgnoreCase("Set-Cookie")) {
        return null; // set by the route's responseHeaderModifier: a stored answer never carries one
      }
    }
    CachedResponse stored = new CachedResponse(r.status(), r.statusMessage(), headers, r.body(), cache.now(), lifetime);
    cache.put(key, stored);
    return stored;
  }

  private static String authority(HttpServerRequest req) {
    String host = req.getHeader("Host");
    if (host == null && req.authority() != null) {
      host = req.authority().toString();
    }
    return host;
  }

  private void serveHit(HttpServerRequest req, CompiledRoute route, ResponseCache cache, CachedResponse hit,
      String xCache) {
    if (HIT.equals(xCache)) {
      metrics.hit(cache.name());
    } else {
      metrics.stale(cache.name());
    }
    long upstreamAge = 0;
    List<Map.Entry<String, String>> headers = new ArrayList<>(hit.headers().size() + 1);
    for (Map.Entry<String, String> h : hit.headers()) {
      if (h.getKey().equalsIgnoreCase("Age")) {
        upstreamAge = parseSeconds(h.getValue());
      } else {
        headers.add(h);
      }
    }
    long resident = Math.max(0, (cache.now() - hit.storedAtNanos()) / 1_000_000_000L);
    headers.add(Map.entry("Age", Long.toString(upstreamAge + resident)));
    respond(req, route, hit.status(), hit.statusMessage(), headers, hit.body(), xCache);
  }

  private void fail(HttpServerRequest req, CompiledRoute route, Throwable cause) {
    if (cause instanceof UpstreamClient.TimeoutException) {
      answered(route, 504, true);
      plain(req, 504, "cacheplane: " + cause.getMessage() + "\n");
    } else {
      if (cause instanceof UpstreamClient.FailureException f && f.tls()
          && tlsWarnings.open(route.policy() + "/" + route.name())) {
        // A configuration problem (CA bundle, certificate, host name), not a passing outage: say so, once a minute.
        LOG.warnf("route %s/%s: %s", route.policy(), route.name(), cause.getMessage());
      } else {
        LOG.debugf("route %s/%s: %s", route.policy(), route.name(), cause.getMessage());
      }
      answered(route, 502, true);
      plain(req, 502, "cacheplane: upstream unavailable\n");
    }
  }

  private void respond(HttpServerRequest req, CompiledRoute route, int status, String statusMessage,
      List<Map.Entry<String, String>> headers, Buffer body, String xCache) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.setStatusCode(status);
    if (statusMessage != null && !statusMessage.isEmpty()) {
      resp.setStatusMessage(statusMessage);
    }
    Headers.addValid(resp.headers(), headers);
    resp.headers().set(X_CACHE, xCache);
    answered(route, status, false);
    resp.end(body);
  }

  /** Counts one answer of a matched route: meters and report counters. */
  /** Counts an answer; called before the answer is written, so a client that has it finds it counted. */
  private void answered(CompiledRoute route, int status, boolean upstreamError) {
    metrics.request(route.policy(), route.name(), status);
    counters.record(route.policy(), route.cachePolicyRef(), status, upstreamError);
  }

  /**
   * The forwarded part of the cache key ({@link CacheKeys#forwarded}): the X-Forwarded-Host and X-Forwarded-Proto
   * values this request sends upstream, compared with the ones the agent derives from the request itself.
   */
  private static CacheKeys.Forwarded forwarded(HttpServerRequest req, CompiledRoute route) {
    List<String> sentHost = new ArrayList<>(1);
    List<String> sentProto = new ArrayList<>(1);
    for (Map.Entry<String, String> h : route.requestHeaderEdits().apply(upstreamHeaders(req))) {
      if (h.getKey().equalsIgnoreCase("X-Forwarded-Host")) {
        sentHost.add(h.getValue());
      } else if (h.getKey().equalsIgnoreCase("X-Forwarded-Proto")) {
        sentProto.add(h.getValue());
      }
    }
    return CacheKeys.forwarded(sentHost, sentProto, req.headers().get("Host"), scheme(req));
  }

  private static String scheme(HttpServerRequest req) {
    return req.scheme() == null ? "http" : req.scheme();
  }

  private static List<Map.Entry<String, String>> upstreamHeaders(HttpServerRequest req) {
    MultiMap in = req.headers();
    List<Map.Entry<String, String>> out = Headers.endToEnd(in, NOT_FORWARDED);
    SocketAddress remote = req.remoteAddress();
    String client = remote == null || remote.host() == null ? "unknown" : remote.host();
    List<String> prior = in.getAll("X-Forwarded-For");
    out.add(Map.entry("X-Forwarded-For", prior.isEmpty() ? client : String.join(", ", prior) + ", " + client));
    if (!in.contains("X-Forwarded-Proto")) {
      out.add(Map.entry("X-Forwarded-Proto", scheme(req)));
    }
    String host = in.get("Host");
    if (!in.contains("X-Forwarded-Host") && host != null) {
      out.add(Map.entry("X-Forwarded-Host", host));
    }
    return out;
  }

  /**
   * Why the request's {@code Host} header makes it unanswerable (RFC 9112 §3.2: a request with more than one
   * {@code Host} header, or an HTTP/1.1 request without one, gets 400), or {@code null}. HTTP/2 requests carry the
   * authority in {@code :authority} instead and are only checked for duplicates.
   */
  static String hostProblem(HttpServerRequest req) {
    int hosts = req.headers().getAll("Host").size();
    if (hosts > 1) {
      return "request has " + hosts + " Host headers, at most one is allowed (RFC 9112 section 3.2)";
    }
    if (hosts == 0 && req.version() == HttpVersion.HTTP_1_1) {
      return "HTTP/1.1 request without a Host header (RFC 9112 section 3.2)";
    }
    return null;
  }

  private static boolean expectsContinue(HttpServerRequest req) {
    String expect = req.getHeader("Expect");
    return expect != null && expect.trim().equalsIgnoreCase("100-continue") && req.version() != HttpVersion.HTTP_1_0;
  }

  /** Asks an HTTP/1.x client's connection to close after this answer (HTTP/2 has no Connection header). */
  private static void closeAfter(HttpServerRequest req) {
    if (req.version() != HttpVersion.HTTP_2) {
      req.response().putHeader("Connection", "close");
    }
  }

  private static void plain(HttpServerRequest req, int status, String text) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    resp.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text);
  }

  private static boolean tooLarge(String contentLength, long max) {
    try {
      return Long.parseLong(contentLength.trim()) > max;
    } catch (NumberFormatException e) {
      return false; // Vert.x rejects malformed framing itself
    }
  }

  private static long parseSeconds(String value) {
    try {
      return Math.max(0, Long.parseLong(value.trim()));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String abbreviate(String path) {
    return path.length() <= 200 ? path : path.substring(0, 197) + "...";
  }
}

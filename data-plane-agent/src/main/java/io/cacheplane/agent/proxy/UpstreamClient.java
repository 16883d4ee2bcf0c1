package io.cacheplane.agent.proxy;

import io.cacheplane.agent.Endpoint;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.TrustOptions;
import io.vertx.core.streams.ReadStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Upstream calls over one pooled Vert.x {@link HttpClient} (keep-alive, HTTP/1.1, up to {@value #POOL_SIZE}
 * connections per endpoint, no decompression so bodies pass through as sent). https upstreams are verified against
 * the JVM's trust store plus an optional PEM CA bundle ({@link UpstreamTrust}), with hostname verification and SNI.
 *
 * <p>The caller says how much of a response body may be held in memory ({@code bufferLimit}, bytes): a body within it
 * is read whole ({@link Response#complete()}); a longer one — declared by {@code Content-Length} or found while
 * reading — is handed over as a paused stream after the part read so far, to be piped to the client with
 * back-pressure ({@link Response#rest()}), so it is never held whole.
 *
 * <p>Idle connections the upstream closes: a request that went out on a connection that had carried an exchange before,
 * and failed because the connection closed or reset before any answer, is sent once more on another connection when
 * its method is idempotent (as NGINX does with cached upstream connections), so an upstream's keep-alive timeout does
 * not turn into 502s. Non-idempotent requests, failures after the response head and failures on fresh connections
 * are never sent again here (the route's {@code retries} decide those).
 *
 * <p>Deadline: {@code timeout} covers connect, the response head and the buffered part of the body; once a response
 * is handed over as a stream, the rest of it is bounded by {@code idleTimeout} (no byte for that long fails the
 * stream), not by a total.
 */
public final class UpstreamClient implements AutoCloseable {

  /** Connections per upstream endpoint. */
  public static final int POOL_SIZE = 128;

  /** The upstream did not answer within the route's timeout (→ 504). */
  public static final class TimeoutException extends RuntimeException {
    TimeoutException(Duration timeout) {
      super("upstream did not answer within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  /** The upstream could not be reached or broke the exchange (→ 502); the message says why. */
  public static final class FailureException extends RuntimeException {
    FailureException(Throwable cause) {
      this(null, cause);
    }

    /** @param endpoint the upstream, named in the message, or {@code null} */
    FailureException(Endpoint endpoint, Throwable cause) {
      super(describe(endpoint, cause), cause, false, false);
    }

    /** Whether the failure is a TLS failure (untrusted certificate, wrong host name, handshake refused). */
    public boolean tls() {
      for (Throwable t = getCause(); t != null; t = t.getCause()) {
        if (t instanceof SSLException) {
          return true;
        }
      }
      return false;
    }

    private static String describe(Endpoint endpoint, Throwable cause) {
      boolean tls = false;
      Throwable root = cause;
      for (Throwable t = cause; t != null && t != t.getCause(); t = t.getCause()) {
        tls |= t instanceof SSLException;
        root = t;
      }
      // The innermost cause says why (e.g. "unable to find valid certification path to requested target", "No
      // subject alternative names matching IP address ... found"); the outer ones only that something failed.
      String who = endpoint == null ? "upstream" : "upstream " + endpoint;
      return who + (tls ? ": TLS handshake failed: " : " failed: ") + message(root);
    }

    private static String message(Throwable t) {
      return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
  }

  /**
   * Most bytes of an abandoned body still to come for which the rest is read and dropped rather than the connection
   * closed (4 MiB). Above it the exchange is reset at once: a paused Vert.x response stops reading from its connection
   * after about 64 KiB (the channel's write-buffer high-water mark, which Vert.x 4.5 uses as its read window) plus
   * one read batch, so a body with that much still to come cannot have ended on the connection yet.
   */
  public static final long DRAIN_LIMIT = 4L * 1024 * 1024;

  /** Largest body buffer allocated up front from a declared {@code Content-Length}, bytes (64 KiB). */
  static final int PRESIZE_LIMIT = 64 * 1024;

  /** Longest time spent reading and dropping an abandoned body before the exchange is reset (2 s). */
  public static final Duration DRAIN_GRACE = Duration.ofSeconds(2);

  /**
   * An upstream answer: the head, and the body in full or the part read so far plus the rest as a stream.
   *
   * @param status the status code
   * @param statusMessage the reason phrase
   * @param headers as received (hop-by-hop headers included; filter with {@link Headers#endToEnd})
   * @param body the whole body when {@link #complete()}, else the part read so far (possibly empty)
   * @param rest {@code null} when {@link #complete()}; else the rest of the body, paused: pipe it or {@link #discard()}
   * @param request the upstream request, for {@link #discard()}; {@code null} when complete
   * @param vertx for the timer of {@link #drain}; {@code null} when complete
   */
  public record Response(int status, String statusMessage, MultiMap headers, Buffer body, ReadStream<Buffer> rest,
      HttpClientRequest request, Vertx vertx) {

    /** A complete, buffered response (tests, synthetic answers). */
    public static Response buffered(int status, String statusMessage, MultiMap headers, Buffer body) {
      return new Response(status, statusMessage, headers, body, null, null, null);
    }

    /** Whether {@link #body()} is the whole body. */
    public boolean complete() {
      return rest == null;
    }

    /**
     * Abandons the unread rest of the body in the background: {@link #drain} with {@link #DRAIN_LIMIT} and
     * {@link #DRAIN_GRACE} (nothing to do for a complete response). Never throws.
     */
    public void discard() {
      drain(DRAIN_LIMIT, DRAIN_GRACE);
    }

    /**
     * Abandons the unread rest of the body so that its connection stays usable: the rest is read and dropped, and the
     * connection goes back to the pool; the exchange is reset (its connection closed) only when the body declares
     * more than {@code limit} bytes still to come, or has not ended within {@code within}.
     *
     * <p>Why not reset at once: in Vert.x 4.5 a response can have ended on its connection while the paused stream
     * still holds the last bytes, and the connection is then already back in the pool; resetting the request closes
     * the connection under whichever request took it next ("Connection was closed", eclipse-vertx/vert.x#6294). A body
     * that declares more than {@code limit} bytes to come cannot have ended yet, so resetting it is safe; one without a
     * length is read until it ends or {@code within} passes.
     *
     * @param limit bytes still to come above which the exchange is reset at once, ≥ {@link #DRAIN_LIMIT} to be safe
     * @param within longest time spent reading, > 0
     * @return completes, never failed, once the body ended, failed or was reset
     */
    public Future<Void> drain(long limit, Duration within) {
      if (rest == null) {
        return Future.succeededFuture();
      }
      long declared = declaredLength(headers);
      if (declared >= 0 && declared - body.length() > limit) {
        reset();
        return Future.succeededFuture();
      }
      Promise<Void> done = Promise.promise();
      long timer = vertx.setTimer(Math.max(1, within.toMillis()), id -> {
        if (done.tryComplete()) {
          reset();
        }
      });
      done.future().onComplete(ar -> vertx.cancelTimer(timer));
      try {
        rest.handler(chunk -> { });
        rest.exceptionHandler(e -> done.tryComplete());
        rest.endHandler(v -> done.tryComplete());
        rest.resume();
      } catch (IllegalStateException e) {
        // The stream already ended or failed (e.g. the upstream closed the connection mid-body): nothing to drop,
        // and the connection is gone.
        done.tryComplete();
      }
      return done.future();
    }

    private void reset() {
      if (request != null) {
        request.reset();
      }
    }
  }

  private static final Logger LOG = Logger.getLogger(UpstreamClient.class);

  private final Vertx vertx;
  private final HttpClient client;
  /** Connections that have carried at least one exchange (weak: a closed connection drops out once unreferenced). */
  private final Set<HttpConnection> usedConnections = Collections.synchronizedSet(
      Collections.newSetFromMap(new WeakHashMap<>()));

  /** A client trusting the JVM's default certificate authorities. */
  public UpstreamClient(Vertx vertx) {
    this(vertx, null);
  }

  /**
   * @param upstreamCaFile PEM bundle of further trusted certificate authorities, or {@code null}
   * @throws IllegalArgumentException when the bundle cannot be read ({@link UpstreamTrust#load})
   */
  public UpstreamClient(Vertx vertx, Path upstreamCaFile) {
    this(vertx, upstreamCaFile, POOL_SIZE);
  }

  /** @param poolSize connections per upstream endpoint, ≥ 1 (tests force connection reuse with 1) */
  UpstreamClient(Vertx vertx, Path upstreamCaFile, int poolSize) {
    this.vertx = vertx;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setDecompressionSupported(false)
        .setTryUseCompression(false)
        .setVerifyHost(true)
        .setForceSni(true);
    TrustOptions trust = UpstreamTrust.load(upstreamCaFile);
    if (trust != null) {
      options.setTrustOptions(trust);
    }
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(poolSize));
  }

  /**
   * Sends one request and reads the response, whole or up to {@code bufferLimit}.
   *
   * @param endpoint where to send it
   * @param timeout deadline for connect, the response head and the buffered part of the body (see the class comment)
   * @param idleTimeout longest wait for the next byte of the exchange, streamed bodies included
   * @param method request method
   * @param uri path and query as sent upstream
   * @param headers request headers to send (end-to-end only; {@code Host} is set from the endpoint)
   * @param body request body, possibly empty
   * @param bufferLimit largest body read whole, bytes, ≥ 0; a body declared or found longer comes back as a stream
   *     ({@code 0}: every body with content streams)
   * @return the response, or a failed future with {@link TimeoutException} or {@link FailureException}
   */
  public Future<Response> send(Endpoint endpoint, Duration timeout, Duration idleTimeout, HttpMethod method, String uri,
      List<Map.Entry<String, String>> headers, Buffer body, long bufferLimit) {
    Promise<Response> result = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long millis = Math.max(1, timeout.toMillis());
    long timer = vertx.setTimer(millis, id -> {
      if (result.tryFail(new TimeoutException(timeout))) {
        HttpClientRequest r = sent.get();
        if (r != null) {
          r.reset();
        }
      }
    });
    result.future().onComplete(ar -> vertx.cancelTimer(timer));
    MultiMap outgoing = HttpHeaders.headers();
    headers.forEach(h -> outgoing.add(h.getKey(), h.getValue()));
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(endpoint.host())
        .setPort(endpoint.port())
        .setSsl(endpoint.tls())
        .setURI(uri)
        .setHeaders(outgoing)
        .setIdleTimeout(Math.max(1, idleTimeout.toMillis()));
    exchange(endpoint, options, method, body, bufferLimit, result, sent, true);
    return result.future();
  }

  /**
   * One try of {@link #send}. When a request sent on a connection that had carried an exchange before fails before any
   * answer (closed or reset: typically the upstream closed the idle connection as the request went out) and the method
   * is idempotent, it is sent once more, on another connection, as NGINX does with its cached upstream connections;
   * this is not a retry of the route and needs no {@code retries}.
   */
  private void exchange(Endpoint endpoint, RequestOptions options, HttpMethod method, Buffer body, long bufferLimit,
      Promise<Response> result, AtomicReference<HttpClientRequest> sent, boolean mayResend) {
    AtomicBoolean reused = new AtomicBoolean();
    AtomicBoolean answered = new AtomicBoolean();
    client.request(options)
        .compose(req -> {
          sent.set(req);
          if (result.future().isComplete()) {
            req.reset();
            return Future.failedFuture("abandoned after timeout");
          }
          reused.set(carriedBefore(req.connection()));
          // The body is read in a stage chained onto send() right here, not in a later stage of the outer chain:
          // Vert.x emits the response's chunks and end right after the response head, and drops them if no handler
          // is set and the stream is not paused. This function runs on the request's context, so nothing can be
          // emitted before read() attaches its handlers or pauses, whichever thread called send().
          Future<HttpClientResponse> response = body.length() == 0 ? req.send() : req.send(body);
          return response.compose(resp -> {
            answered.set(true);
            return read(req, resp, method, bufferLimit);
          });
        })
        .onComplete(ar -> {
          if (ar.succeeded()) {
            if (!result.tryComplete(ar.result())) {
              ar.result().discard(); // the deadline passed meanwhile
            }
          } else if (mayResend && reused.get() && !answered.get() && RetryBudget.retriesMethod(method.name())
              && closedUnderneath(ar.cause()) && !result.future().isComplete()) {
            LOG.debugf("upstream %s closed a reused connection before answering; sending again", endpoint);
            exchange(endpoint, options, method, body, bufferLimit, result, sent, false);
          } else {
            result.tryFail(new FailureException(endpoint, ar.cause()));
          }
        });
  }

  /** Whether the connection carried an exchange before; remembers it otherwise. */
  private boolean carriedBefore(HttpConnection connection) {
    if (connection == null) {
      return false;
    }
    return !usedConnections.add(connection);
  }

  /** Whether a failure is the connection being closed or reset (not a TLS failure, not a timeout). */
  private static boolean closedUnderneath(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException) {
        return false;
      }
      if (t instanceof HttpClosedException || t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private Future<Response> read(HttpClientRequest req, HttpClientResponse resp, HttpMethod method,
      long bufferLimit) {
    long declared = declaredLength(resp.headers());
    boolean bodyless = method == HttpMethod.HEAD || resp.statusCode() == 204 || resp.statusCode() == 304;
    if (!bodyless && declared > bufferLimit) {
      resp.pause();
      return Future.succeededFuture(streaming(req, resp, Buffer.buffer()));
    }
    Promise<Response> done = Promise.promise();
    // Sized to the declared length (up to PRESIZE_LIMIT, so a length the upstream never sends costs little): a stored
    // body then holds no spare capacity, where growing by doubling would keep up to twice its size on the heap.
    Buffer read = declared > 0 && !bodyless ? Buffer.buffer((int) Math.min(declared, PRESIZE_LIMIT)) : Buffer.buffer();
    resp.handler(chunk -> {
      read.appendBuffer(chunk);
      if (read.length() > bufferLimit) {
        resp.pause();
        resp.handler(null);
        resp.endHandler(null);
        resp.exceptionHandler(null);
        done.tryComplete(streaming(req, resp, read));
      }
    });
    resp.exceptionHandler(done::tryFail);
    resp.endHandler(v -> done.tryComplete(
        new Response(resp.statusCode(), resp.statusMessage(), resp.headers(), read, null, req, null)));
    return done.future();
  }

  private Response streaming(HttpClientRequest req, HttpClientResponse resp, Buffer prefix) {
    return new Response(resp.statusCode(), resp.statusMessage(), resp.headers(), prefix, resp, req, vertx);
  }

  /** The declared Content-Length, or -1 when absent or malformed. */
  private static long declaredLength(MultiMap headers) {
    String v = headers.get(HttpHeaders.CONTENT_LENGTH);
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    client.close();
  }
}

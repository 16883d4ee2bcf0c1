package io.cacheplane.agent.proxy;

import io.cacheplane.agent.proxy.CompiledRoute.WeightedBackend;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Upstream calls over one pooled Vert.x {@link HttpClient} (keep-alive, HTTP/1.1, up to {@value #POOL_SIZE}
 * connections per endpoint, no decompression so bodies pass through as sent). Each call has one deadline covering
 * connect, response headers and body.
 */
public final class UpstreamClient implements AutoCloseable {

  /** Largest upstream response body read, bytes (64 MiB); a longer one fails the call (→ 502). */
  public static final long MAX_RESPONSE_BODY = 64L * 1024 * 1024;
  /** Connections per upstream endpoint. */
  public static final int POOL_SIZE = 128;

  /** The upstream did not answer within the route's timeout (→ 504). */
  public static final class TimeoutException extends RuntimeException {
    TimeoutException(Duration timeout) {
      super("upstream did not answer within " + timeout.toMillis() + " ms", null, false, false);
    }
  }

  /** The upstream could not be reached or broke the exchange (→ 502). */
  public static final class FailureException extends RuntimeException {
    FailureException(Throwable cause) {
      super("upstream failed: " + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()),
          cause, false, false);
    }
  }

  /**
   * An upstream answer, body read in full.
   *
   * @param headers as received (hop-by-hop headers included; filter with {@link Headers#endToEnd})
   */
  public record Response(int status, String statusMessage, MultiMap headers, Buffer body) {}

  private final Vertx vertx;
  private final HttpClient client;

  public UpstreamClient(Vertx vertx) {
    this.vertx = vertx;
    HttpClientOptions options = new HttpClientOptions()
        .setKeepAlive(true)
        .setDecompressionSupported(false)
        .setTryUseCompression(false)
        .setVerifyHost(true);
    this.client = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(POOL_SIZE));
  }

  /**
   * Sends one request and reads the whole response.
   *
   * @param backend where to send it
   * @param timeout deadline for the whole exchange
   * @param method request method
   * @param uri path and query as sent upstream (the backend's base path already prepended)
   * @param headers request headers to send (end-to-end only; {@code Host} is set from the backend)
   * @param body request body, possibly empty
   * @return the response, or a failed future with {@link TimeoutException} or {@link FailureException}
   */
  public Future<Response> send(WeightedBackend backend, Duration timeout, HttpMethod method, String uri,
      List<Map.Entry<String, String>> headers, Buffer body) {
    Promise<Response> result = Promise.promise();
    AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
    long timer = vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
      if (result.tryFail(new TimeoutException(timeout))) {
        HttpClientRequest r = sent.get();
        if (r != null) {
          r.reset();
        }
      }
    });
    MultiMap outgoing = HttpHeaders.headers();
    headers.forEach(h -> outgoing.add(h.getKey(), h.getValue()));
    RequestOptions options = new RequestOptions()
        .setMethod(method)
        .setHost(backend.endpoint().host())
        .setPort(backend.endpoint().port())
        .setSsl(backend.endpoint().tls())
        .setURI(uri)
        .setHeaders(outgoing);
    client.request(options)
        .compose(req -> {
          sent.set(req);
          if (result.future().isComplete()) {
            req.reset();
            return Future.failedFuture("abandoned after timeout");
          }
          // The body is collected in a stage chained onto send() right here, not in a later stage of the outer
          // chain: Vert.x emits the response's chunks and end once, right after the response head, and drops them if
          // no handler is set yet. This function runs on the request's context, so nothing can be emitted before the
          // collector is attached, whichever thread called send(). A flat .compose(req -> req.send())
          // .compose(resp -> collect(resp)) built off that context (a worker or a test thread) can attach it too late
          // and read an empty body.
          Future<HttpClientResponse> response = body.length() == 0 ? req.send() : req.send(body);
          return response.compose(resp -> Bodies.collect(resp, MAX_RESPONSE_BODY)
              .map(b -> new Response(resp.statusCode(), resp.statusMessage(), resp.headers(), b)));
        })
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          if (ar.succeeded()) {
            result.tryComplete(ar.result());
          } else {
            result.tryFail(new FailureException(ar.cause()));
          }
        });
    return result.future();
  }

  @Override
  public void close() {
    client.close();
  }
}

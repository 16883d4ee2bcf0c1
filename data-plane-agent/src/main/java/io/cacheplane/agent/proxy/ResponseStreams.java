package io.cacheplane.agent.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Sends an upstream response whose body is not held whole ({@link UpstreamClient.Response#complete()} false): the
 * head, the part already read, then the rest piped from the upstream connection to the client with back-pressure (the
 * upstream is paused while the client's write queue is full). A declared {@code Content-Length} is kept; otherwise the
 * body is sent chunked. When either side breaks mid-body the client's exchange is reset, so it sees a truncated body as
 * an error, never as a complete shorter one, and the upstream's is abandoned ({@link UpstreamClient.Response#discard}).
 */
final class ResponseStreams {

  private static final Logger LOG = Logger.getLogger(ResponseStreams.class);

  private ResponseStreams() {}

  /**
   * @param headers end-to-end response headers, modifier applied; may include {@code Content-Length}
   * @param extraName, extraValue one more header to set (e.g. {@code X-Cache})
   */
  static void stream(HttpServerRequest req, UpstreamClient.Response r, List<Map.Entry<String, String>> headers,
      String extraName, String extraValue) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      r.discard();
      return;
    }
    resp.setStatusCode(r.status());
    if (r.statusMessage() != null && !r.statusMessage().isEmpty()) {
      resp.setStatusMessage(r.statusMessage());
    }
    Headers.addValid(resp.headers(), headers);
    resp.headers().set(extraName, extraValue);
    if (!resp.headers().contains(HttpHeaders.CONTENT_LENGTH)) {
      resp.setChunked(true);
    }
    if (r.body().length() > 0) {
      resp.write(r.body());
    }
    r.rest().pipe().endOnFailure(false).to(resp).onFailure(e -> {
      LOG.debugf("streamed response broken: %s", e.getMessage());
      resp.reset();
      r.discard();
    });
  }
}

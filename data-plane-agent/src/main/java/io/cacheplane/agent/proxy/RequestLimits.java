package io.cacheplane.agent.proxy;

import io.cacheplane.agent.ProxyLimits;
import io.vertx.core.MultiMap;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpServerOptions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Maps {@link ProxyLimits} onto the Vert.x server, whose HTTP decoder enforces them before a request reaches the
 * proxy:
 * <ul>
 *   <li>{@code maxUriLength} → {@code maxInitialLineLength} = the URI plus {@value #REQUEST_LINE_OVERHEAD} characters
 *       for method, spaces and version; a longer request line gets Vert.x's own {@code 414 URI Too Long}. The proxy
 *       checks the URI length itself too, so the bound is exact (414 as well);
 *   <li>{@code maxHeaderSize} → {@code maxHeaderSize} (bytes of all header lines); larger gets Vert.x's
 *       {@code 431 Request Header Fields Too Large};
 *   <li>{@code clientIdleTimeout} → the connection idle timeout (milliseconds): a connection that neither sends nor
 *       receives a byte for that long is closed, which ends slow clients that stop half-way through a request.
 * </ul>
 * {@code maxRequestBody} is enforced by the proxy while it reads the body (413).
 *
 * <p>HTTP/2 (h2c with prior knowledge, or h2 over TLS) has no request line and no header lines: the proxy checks the
 * URI length (414), the header size ({@link #headerBytes}, 431) and the body (413) itself and answers with the status.
 * So that these checks see the request at all, the server advertises a {@code SETTINGS_MAX_HEADER_LIST_SIZE} of
 * {@link #http2HeaderListSize} — above our own bounds; a header block larger than that is refused by the HTTP/2 codec
 * (the stream or connection is reset, no status).
 */
public final class RequestLimits {

  /** Room on the request line for the method, two spaces and {@code HTTP/1.1}. */
  public static final int REQUEST_LINE_OVERHEAD = 64;

  private RequestLimits() {}

  /**
   * The {@code SETTINGS_MAX_HEADER_LIST_SIZE} advertised over HTTP/2, bytes as HPACK counts them (name + value + 32 per
   * field, RFC 9113 §6.5.2): twice {@code maxUriLength + maxHeaderSize} plus 4096, so that a request over our own
   * bounds by up to that reaches the proxy and gets 414 or 431.
   */
  public static long http2HeaderListSize(ProxyLimits limits) {
    return 2L * (limits.maxUriLength() + (long) limits.maxHeaderSize()) + 4096;
  }

  /**
   * The size of a request's headers as HTTP/1.1 would send them, bytes: {@code name: value CRLF} per field, HTTP/2
   * pseudo-headers ({@code :path}...) left out. Compared with {@code maxHeaderSize} for HTTP/2 requests.
   */
  public static long headerBytes(MultiMap headers) {
    long bytes = 0;
    for (Map.Entry<String, String> h : headers) {
      if (!h.getKey().startsWith(":")) {
        bytes += h.getKey().length() + h.getValue().length() + 4;
      }
    }
    return bytes;
  }

  /** Fresh server options carrying the limits. */
  public static HttpServerOptions serverOptions(ProxyLimits limits) {
    return new HttpServerOptions()
        .setInitialSettings(new Http2Settings().setMaxHeaderListSize(http2HeaderListSize(limits)))
        .setMaxInitialLineLength(limits.maxUriLength() + REQUEST_LINE_OVERHEAD)
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, limits.clientIdleTimeout().toMillis())))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }
}

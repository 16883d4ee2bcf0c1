package io.cacheplane.agent.proxy;

import io.cacheplane.agent.ProxyLimits;
import io.vertx.core.http.HttpServerOptions;
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
 */
public final class RequestLimits {

  /** Room on the request line for the method, two spaces and {@code HTTP/1.1}. */
  public static final int REQUEST_LINE_OVERHEAD = 64;

  private RequestLimits() {}

  /** Fresh server options carrying the limits. */
  public static HttpServerOptions serverOptions(ProxyLimits limits) {
    return new HttpServerOptions()
        .setMaxInitialLineLength(limits.maxUriLength() + REQUEST_LINE_OVERHEAD)
        .setMaxHeaderSize(limits.maxHeaderSize())
        .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, Math.max(1, limits.clientIdleTimeout().toMillis())))
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
  }
}

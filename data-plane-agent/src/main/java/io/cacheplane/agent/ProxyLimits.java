package io.cacheplane.agent;

import java.time.Duration;

/**
 * Bounds the proxy puts on client requests and on what it holds in memory. Defaults follow common proxies (NGINX's
 * {@code large_client_header_buffers} 8k, {@code client_body_timeout} 60s; Vert.x's 4096-character initial line).
 *
 * @param maxUriLength longest request line URI, in characters; longer gets 414; default 4096
 * @param maxHeaderSize largest total of the request headers, in bytes; larger gets 431; default 8192
 * @param maxRequestBody largest request body, in bytes; larger gets 413; default 10 MiB
 * @param clientIdleTimeout a client connection that sends or reads nothing for this long is closed (slow clients);
 *     default 60 seconds
 */
public record ProxyLimits(int maxUriLength, int maxHeaderSize, long maxRequestBody, Duration clientIdleTimeout) {

  /** The defaults above. */
  public static final ProxyLimits DEFAULTS = new ProxyLimits(4096, 8192, 10L * 1024 * 1024, Duration.ofSeconds(60));

  /** @throws IllegalArgumentException when a bound is not positive */
  public ProxyLimits {
    if (maxUriLength <= 0 || maxHeaderSize <= 0 || maxRequestBody <= 0 || clientIdleTimeout == null
        || clientIdleTimeout.isNegative() || clientIdleTimeout.isZero()) {
      throw new IllegalArgumentException("proxy limits must be positive, got " + maxUriLength + ", " + maxHeaderSize
          + ", " + maxRequestBody + ", " + clientIdleTimeout);
    }
  }
}

package io.cacheplane.agent.cache;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.Map;

/**
 * A stored upstream response. Immutable by contract: the body buffer is shared by every hit and must never be
 * modified (Vert.x writes a duplicate of it per response).
 *
 * @param status the status code
 * @param statusMessage the reason phrase, or {@code null} for the default one
 * @param headers end-to-end response headers in order (hop-by-hop headers already removed)
 * @param body the body bytes (empty for HEAD)
 * @param storedAtNanos the cache ticker's reading when stored
 * @param lifetimeNanos the freshness lifetime the upstream gave the response ({@code s-maxage}, {@code max-age} or
 *     {@code Expires}, less its {@code Age}), nanoseconds, ≥ 0; {@link #NO_LIFETIME} when it gave none (or the
 *     policy does not honour Cache-Control). The policy's {@code expireAfterWrite} caps it at read time.
 */
public record CachedResponse(int status, String statusMessage, List<Map.Entry<String, String>> headers, Buffer body,
    long storedAtNanos, long lifetimeNanos) {

  /** {@link #lifetimeNanos()} of a response without an upstream lifetime. */
  public static final long NO_LIFETIME = Long.MAX_VALUE;

  /** Fixed per-entry overhead counted by {@link #weight()}, bytes. */
  static final int OVERHEAD = 64;

  public CachedResponse {
    headers = List.copyOf(headers);
    if (lifetimeNanos < 0) {
      throw new IllegalArgumentException("lifetimeNanos must be >= 0, got " + lifetimeNanos);
    }
  }

  /** A response without an upstream lifetime. */
  public CachedResponse(int status, String statusMessage, List<Map.Entry<String, String>> headers, Buffer body,
      long storedAtNanos) {
    this(status, statusMessage, headers, body, storedAtNanos, NO_LIFETIME);
  }

  /**
   * The entry's weight in a byte-bounded cache without its key: body + header names and values + {@value #OVERHEAD},
   * capped at {@link Integer#MAX_VALUE}. The cache's weigher adds the key's length.
   */
  public int weight() {
    long w = OVERHEAD + (long) body.length();
    for (Map.Entry<String, String> h : headers) {
      w += h.getKey().length() + h.getValue().length();
    }
    return (int) Math.min(Integer.MAX_VALUE, w);
  }
}

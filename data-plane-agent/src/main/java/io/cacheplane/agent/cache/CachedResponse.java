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
 */
public record CachedResponse(int status, String statusMessage, List<Map.Entry<String, String>> headers, Buffer body,
    long storedAtNanos) {

  /** Fixed per-entry overhead counted by {@link #weight()}, bytes. */
  static final int OVERHEAD = 64;

  public CachedResponse {
    headers = List.copyOf(headers);
  }

  /**
   * The entry's weight in a byte-bounded cache: body + header names and values + {@value #OVERHEAD}, capped at
   * {@link Integer#MAX_VALUE}.
   */
  public int weight() {
    long w = OVERHEAD + (long) body.length();
    for (Map.Entry<String, String> h : headers) {
      w += h.getKey().length() + h.getValue().length();
    }
    return (int) Math.min(Integer.MAX_VALUE, w);
  }
}

package io.cacheplane.agent.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request coalescing for cache misses, as NGINX's {@code proxy_cache_lock}: of the concurrent misses on one key, the
 * first becomes the <em>leader</em> and makes the only upstream call; the others wait for its outcome.
 * <ul>
 *   <li>stored → every waiter is served the stored response ({@code X-Cache: HIT});
 *   <li>not cacheable (e.g. {@code Set-Cookie}, a status outside the list) → the leader completes with
 *       {@code null} and each waiter goes upstream itself, since the response may be personal — as NGINX does;
 *   <li>upstream failure (timeout, connect error) → the waiters get the same failure instead of repeating it
 *       against an upstream that is already failing.
 * </ul>
 * The leader must store the response <em>before</em> it calls {@link #finish}, so a request arriving in between
 * finds either the in-flight call or the stored entry. The background refresh of a stale-while-revalidate entry is
 * led the same way, so at most one refresh per key is in flight; waiters holding a stale entry serve it when the
 * leader fails.
 */
public final class Coalescer {

  private final ConcurrentHashMap<String, Promise<CachedResponse>> inFlight = new ConcurrentHashMap<>();

  /**
   * Joins the in-flight call for {@code key}, or leads a new one.
   *
   * @return {@code null} when the caller is the leader (it must call {@link #finish} or {@link #fail} exactly
   *     once), otherwise a future of the leader's outcome: the stored response, {@code null} when nothing was
   *     stored, or the leader's failure
   */
  public Future<CachedResponse> joinOrLead(String key) {
    Promise<CachedResponse> mine = Promise.promise();
    Promise<CachedResponse> existing = inFlight.putIfAbsent(key, mine);
    return existing == null ? null : existing.future();
  }

  /** Leader only: ends the call; {@code stored} is the response now in the cache, or {@code null}. */
  public void finish(String key, CachedResponse stored) {
    Promise<CachedResponse> p = inFlight.remove(key);
    if (p != null) {
      p.tryComplete(stored);
    }
  }

  /** Leader only: ends the call with a failure the waiters share. */
  public void fail(String key, Throwable cause) {
    Promise<CachedResponse> p = inFlight.remove(key);
    if (p != null) {
      p.tryFail(cause);
    }
  }

  /** Calls in flight, for tests. */
  public int inFlight() {
    return inFlight.size();
  }
}

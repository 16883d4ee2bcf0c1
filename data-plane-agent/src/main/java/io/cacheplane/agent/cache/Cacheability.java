package io.cacheplane.agent.cache;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Whether an upstream response may be stored: a pure decision over the cache's rules and the response. The request
 * method is decided before the upstream call ({@link CacheConfig#cacheableMethod}).
 *
 * <p>A response is stored only when all of these hold, checked in this order:
 * <ol>
 *   <li>its status code is in the policy's {@code statusCodes};
 *   <li>its body is at most {@code maxEntrySize} bytes;
 *   <li>it has no {@code Set-Cookie} header (one user's cookie must never reach another);
 *   <li>with {@code honorCacheControl}: its {@code Cache-Control} has none of {@code no-store}, {@code private},
 *       {@code no-cache} (this cache does not revalidate, so a response that must be revalidated on every use is not
 *       kept), and its upstream lifetime ({@link Freshness#upstreamLifetimeNanos}) is above zero unless the policy
 *       has a stale window;
 *   <li>its {@code Vary} names only headers that are part of the key (and is not {@code *}), otherwise one
 *       variant would be served for all.
 * </ol>
 * Requests carrying {@code Authorization} or {@code Cookie} never get here unless the scope is User
 * ({@link RequestScope}).
 */
public final class Cacheability {

  /** The outcome; {@link #STORE} or the first rule that refused the response. */
  public enum Verdict { STORE, STATUS_NOT_CACHEABLE, TOO_LARGE, SET_COOKIE, NO_STORE, PRIVATE, NO_CACHE, EXPIRED, VARY }

  private Cacheability() {}

  /**
   * @param config the cache's rules
   * @param status the response status code
   * @param responseHeaders all values of a response header by name (case-insensitive); empty list when absent
   * @param bodyBytes the response body's length in bytes
   * @param lifetimeNanos the upstream lifetime ({@link Freshness#upstreamLifetimeNanos}, or
   *     {@link CachedResponse#NO_LIFETIME} without honorCacheControl)
   */
  public static Verdict decide(CacheConfig config, int status, Function<String, List<String>> responseHeaders,
      long bodyBytes, long lifetimeNanos) {
    if (!config.statusCodes().contains(status)) {
      return Verdict.STATUS_NOT_CACHEABLE;
    }
    if (bodyBytes > config.maxEntrySize()) {
      return Verdict.TOO_LARGE;
    }
    if (!responseHeaders.apply("Set-Cookie").isEmpty()) {
      return Verdict.SET_COOKIE;
    }
    List<String> cacheControl = directives(responseHeaders.apply("Cache-Control"));
    if (config.honorCacheControl()) {
      if (cacheControl.contains("no-store")) {
        return Verdict.NO_STORE;
      }
      if (cacheControl.contains("private")) {
        return Verdict.PRIVATE;
      }
      if (cacheControl.contains("no-cache")) {
        return Verdict.NO_CACHE;
      }
      if (lifetimeNanos == 0 && config.maxStale().isZero()) {
        return Verdict.EXPIRED;
      }
    }
    for (String vary : directives(responseHeaders.apply("Vary"))) {
      if (vary.equals("*") || !config.key().hasHeader(vary)) {
        return Verdict.VARY;
      }
    }
    return Verdict.STORE;
  }

  /** Lower-case directive names of comma-separated header values ({@code private="x"} gives {@code private}). */
  static List<String> directives(List<String> values) {
    if (values == null || values.isEmpty()) {
      return List.of();
    }
    return values.stream()
        .flatMap(v -> java.util.Arrays.stream(v.split(",")))
        .map(d -> {
          int eq = d.indexOf('=');
          return (eq < 0 ? d : d.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        })
        .filter(d -> !d.isEmpty())
        .toList();
  }
}

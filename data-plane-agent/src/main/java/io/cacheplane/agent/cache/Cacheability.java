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
 *   <li>with {@code honorCacheControl}: its {@code Cache-Control} has neither {@code no-store} nor {@code private};
 *   <li>its {@code Vary} names only headers that are part of the key (and is not {@code *}), otherwise one
 *       variant would be served for all;
 *   <li>the request had no {@code Authorization} header, unless that header is part of the key or the response says
 *       {@code public} or {@code s-maxage} (RFC 9111, section 3.5: a shared cache must not reuse such responses).
 * </ol>
 * Response freshness directives ({@code max-age}, {@code Expires}) are not used: the policy's expiry decides.
 */
public final class Cacheability {

  /** The outcome; {@link #STORE} or the first rule that refused the response. */
  public enum Verdict { STORE, STATUS_NOT_CACHEABLE, TOO_LARGE, SET_COOKIE, NO_STORE, PRIVATE, VARY, AUTHORIZATION }

  private Cacheability() {}

  /**
   * @param config the cache's rules
   * @param status the response status code
   * @param responseHeaders all values of a response header by name (case-insensitive); empty list when absent
   * @param bodyBytes the response body's length in bytes
   * @param requestHasAuthorization whether the request carried an {@code Authorization} header
   */
  public static Verdict decide(CacheConfig config, int status, Function<String, List<String>> responseHeaders,
      long bodyBytes, boolean requestHasAuthorization) {
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
    }
    for (String vary : directives(responseHeaders.apply("Vary"))) {
      if (vary.equals("*") || !config.key().hasHeader(vary)) {
        return Verdict.VARY;
      }
    }
    if (requestHasAuthorization && !config.key().hasHeader("authorization")
        && !cacheControl.contains("public") && !cacheControl.contains("s-maxage")) {
      return Verdict.AUTHORIZATION;
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

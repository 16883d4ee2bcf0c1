package io.cacheplane.agent.cache;

import io.cacheplane.api.v1alpha1.CacheScope;
import java.util.List;
import java.util.function.Function;

/**
 * Who may share a cached response with a request: a pure decision made before the cache is looked up.
 * <ul>
 *   <li>scope Tenant or User: the value of the policy's {@code scopeHeader} becomes part of the key; a request
 *       without it (absent or blank) is forwarded uncached ({@code X-Cache: BYPASS});
 *   <li>a request carrying {@code Authorization} or {@code Cookie} is forwarded uncached unless the scope is User
 *       (its answer may be personal, and only a per-user key keeps it from other users);
 *   <li>otherwise the cache is used, with no scope for Global.
 * </ul>
 * Several values of the scope header are joined with {@code ,} (so {@code a} and {@code a, b} never share).
 *
 * @param bypass why the cache is not used ({@code null}: it is)
 * @param scope the scope value for the key; {@code null} for Global or on bypass
 */
public record RequestScope(String bypass, String scope) {

  /** No cache: the request has no value for the scope header. */
  public static final String NO_SCOPE = "no scope header";
  /** No cache: the request carries credentials and the scope is not User. */
  public static final String CREDENTIALS = "Authorization or Cookie";

  private static final RequestScope GLOBAL = new RequestScope(null, null);

  /**
   * @param config the cache's rules
   * @param headers all values of a request header by name (case-insensitive); empty list when absent
   */
  public static RequestScope of(CacheConfig config, Function<String, List<String>> headers) {
    if (config.scope() != CacheScope.User && (present(headers, "Authorization") || present(headers, "Cookie"))) {
      return new RequestScope(CREDENTIALS, null);
    }
    if (config.scope() == CacheScope.Global) {
      return GLOBAL;
    }
    List<String> values = headers.apply(config.scopeHeader());
    String joined = values == null ? "" : String.join(",", values.stream().map(String::strip).toList());
    if (joined.isBlank()) {
      return new RequestScope(NO_SCOPE, null);
    }
    return new RequestScope(null, joined);
  }

  private static boolean present(Function<String, List<String>> headers, String name) {
    List<String> v = headers.apply(name);
    return v != null && !v.isEmpty();
  }
}

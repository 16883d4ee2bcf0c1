package io.cacheplane.agent.proxy;

import com.google.re2j.Pattern;
import io.cacheplane.agent.Endpoint;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * A route ready to serve: its path rule, conditions, weighted upstreams, timeout and cache reference. Immutable.
 *
 * @param policy the RoutePolicy name (first tie-breaker across policies)
 * @param name the route name (unique within its policy; a metrics label)
 * @param index position of the route in its policy (second tie-breaker)
 * @param path how the path is matched
 * @param methods allowed methods, upper case; empty: every method
 * @param headers header conditions, all must hold
 * @param backends upstreams with weights, at least one
 * @param timeout time allowed for the upstream's response (connect, headers and body), positive
 * @param cachePolicyRef name of the CachePolicy whose cache serves this route, or {@code null}
 * @param retries retry settings and budget of the route, or {@code null}: no retries
 * @param replacePrefixMatch the prefix that replaces the matched {@link Prefix} before the request goes upstream
 *     ({@link PathRewrite}), or {@code null}: no rewrite
 * @param requestHeaderEdits changes to the request headers sent upstream
 * @param responseHeaderEdits changes to the response headers, applied before a response is stored
 */
public record CompiledRoute(
    String policy,
    String name,
    int index,
    PathRule path,
    Set<String> methods,
    List<HeaderCondition> headers,
    List<WeightedBackend> backends,
    Duration timeout,
    String cachePolicyRef,
    RetryBudget retries,
    String replacePrefixMatch,
    HeaderEdits requestHeaderEdits,
    HeaderEdits responseHeaderEdits) {

  public CompiledRoute {
    Objects.requireNonNull(policy, "policy");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(path, "path");
    methods = Set.copyOf(methods);
    headers = List.copyOf(headers);
    backends = List.copyOf(backends);
    if (backends.isEmpty()) {
      throw new IllegalArgumentException("a route needs at least one backend");
    }
    Objects.requireNonNull(timeout, "timeout");
    if (replacePrefixMatch != null && !(path instanceof Prefix)) {
      throw new IllegalArgumentException("rewrite.replacePrefixMatch requires match.pathPrefix");
    }
    requestHeaderEdits = requestHeaderEdits == null ? HeaderEdits.NONE : requestHeaderEdits;
    responseHeaderEdits = responseHeaderEdits == null ? HeaderEdits.NONE : responseHeaderEdits;
  }

  /** A route without retries, rewrite or header changes. */
  public CompiledRoute(String policy, String name, int index, PathRule path, Set<String> methods,
      List<HeaderCondition> headers, List<WeightedBackend> backends, Duration timeout, String cachePolicyRef) {
    this(policy, name, index, path, methods, headers, backends, timeout, cachePolicyRef, null, null, null, null);
  }

  /**
   * The path sent upstream for a request path, before the backend's base path is prepended: the path itself, or
   * with the matched prefix replaced ({@link PathRewrite#replacePrefix}).
   *
   * @param requestPath the normalised request path this route matched
   */
  public String upstreamPath(String requestPath) {
    if (replacePrefixMatch == null) {
      return requestPath;
    }
    return PathRewrite.replacePrefix(requestPath, ((Prefix) path).prefix(), replacePrefixMatch);
  }

  /** How a route matches the request path. */
  public sealed interface PathRule {
    /** Whether the request path, normalised by {@link RequestPaths#normalize}, matches. */
    boolean matches(String requestPath);
  }

  /** The path equals {@code path} exactly. */
  public record Exact(String path) implements PathRule {
    @Override
    public boolean matches(String requestPath) {
      return path.equals(requestPath);
    }
  }

  /**
   * The path starts with {@code prefix} on a segment boundary: {@code /api} matches {@code /api} and {@code /api/x},
   * not {@code /apix}; a prefix ending in {@code /} matches everything below it. A route without a path rule is a
   * {@code Prefix("/")}, matching every path.
   */
  public record Prefix(String prefix) implements PathRule {
    @Override
    public boolean matches(String requestPath) {
      if (!requestPath.startsWith(prefix)) {
        return false;
      }
      return requestPath.length() == prefix.length() || prefix.endsWith("/") || requestPath.charAt(prefix.length()) == '/';
    }
  }

  /** The whole path matches an RE2 expression (linear time). */
  public record Regex(Pattern pattern) implements PathRule {
    @Override
    public boolean matches(String requestPath) {
      return pattern.matches(requestPath);
    }
  }

  /**
   * A request header condition: present ({@code value} and {@code regex} null), equal to {@code value}, or fully
   * matching {@code regex}. With several values of the header, one matching value suffices.
   *
   * @param name lower-case header name
   */
  public record HeaderCondition(String name, String value, Pattern regex) {
    public HeaderCondition {
      name = name.toLowerCase(Locale.ROOT);
    }

    boolean holds(Function<String, List<String>> requestHeaders) {
      List<String> values = requestHeaders.apply(name);
      if (values == null || values.isEmpty()) {
        return false;
      }
      if (value != null) {
        return values.contains(value);
      }
      if (regex != null) {
        return values.stream().anyMatch(regex::matches);
      }
      return true;
    }
  }

  /**
   * One upstream of a route.
   *
   * @param endpoint where to connect
   * @param basePath path prefix of a URL backend ({@code ""} for none; never ends with {@code /})
   * @param weight share of requests, 0..100
   */
  public record WeightedBackend(Endpoint endpoint, String basePath, int weight) {}

  /** Whether method and header conditions hold (the path is checked by the route table). */
  public boolean conditionsHold(String method, Function<String, List<String>> requestHeaders) {
    if (!methods.isEmpty() && !methods.contains(method)) {
      return false;
    }
    for (HeaderCondition h : headers) {
      if (!h.holds(requestHeaders)) {
        return false;
      }
    }
    return true;
  }

  /** Picks a backend by weight (uniform random draw, enough for a traffic split). */
  public WeightedBackend pickBackend() {
    if (backends.size() == 1) {
      return backends.get(0);
    }
    int total = 0;
    for (WeightedBackend b : backends) {
      total += b.weight();
    }
    if (total <= 0) {
      return backends.get(0);
    }
    int draw = ThreadLocalRandom.current().nextInt(total);
    for (WeightedBackend b : backends) {
      draw -= b.weight();
      if (draw < 0) {
        return b;
      }
    }
    return backends.get(backends.size() - 1);
  }
}

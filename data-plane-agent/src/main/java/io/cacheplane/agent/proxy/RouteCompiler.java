package io.cacheplane.agent.proxy;

import com.google.re2j.Pattern;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.agent.proxy.CompiledRoute.HeaderCondition;
import io.cacheplane.agent.proxy.CompiledRoute.PathRule;
import io.cacheplane.agent.proxy.CompiledRoute.WeightedBackend;
import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.HeaderMatch;
import io.cacheplane.api.v1alpha1.HttpMethod;
import io.cacheplane.api.v1alpha1.RetrySpec;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RouteMatch;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.api.validation.Values;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns a validated RoutePolicy spec into {@link CompiledRoute}s: regexes compiled, backends resolved, retries,
 * rewrite and header modifiers compiled.
 */
public final class RouteCompiler {

  /** Upstream timeout of a route that sets none (the CRD's default). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);

  private RouteCompiler() {}

  /**
   * @param policy the RoutePolicy name
   * @param spec a spec that passed {@link io.cacheplane.api.validation.PolicyValidator}
   * @param resolver resolves Service backends
   * @return the routes in declared order
   * @throws IllegalArgumentException when a regex, URL, duration or backend cannot be used (the message names the
   *     route)
   */
  public static List<CompiledRoute> compile(String policy, RoutePolicySpec spec, BackendResolver resolver) {
    List<CompiledRoute> out = new ArrayList<>();
    List<Route> routes = spec.getRoutes() == null ? List.of() : spec.getRoutes();
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      try {
        out.add(compile(policy, i, r, resolver));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("route " + r.getName() + ": " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static CompiledRoute compile(String policy, int index, Route r, BackendResolver resolver) {
    RouteMatch m = r.getMatch() == null ? new RouteMatch() : r.getMatch();
    PathRule path;
    if (m.getPath() != null) {
      path = new CompiledRoute.Exact(m.getPath());
    } else if (m.getPathRegex() != null) {
      path = new CompiledRoute.Regex(Pattern.compile(m.getPathRegex()));
    } else {
      path = new CompiledRoute.Prefix(m.getPathPrefix() != null ? m.getPathPrefix() : "/");
    }
    Set<String> methods = m.getMethods() == null ? Set.of()
        : m.getMethods().stream().map(HttpMethod::name).collect(Collectors.toUnmodifiableSet());
    List<HeaderCondition> headers = new ArrayList<>();
    if (m.getHeaders() != null) {
      for (HeaderMatch h : m.getHeaders()) {
        headers.add(new HeaderCondition(h.getName(), h.getValue(), h.getRegex() == null ? null : Pattern.compile(h.getRegex())));
      }
    }
    List<WeightedBackend> backends = new ArrayList<>();
    for (Backend b : r.getBackends()) {
      backends.add(backend(b, resolver));
    }
    Duration timeout = r.getTimeout() == null ? DEFAULT_TIMEOUT : Values.duration(r.getTimeout());
    RetrySpec rs = r.getRetries();
    RetryBudget retries = rs == null ? null
        : new RetryBudget(rs.getAttempts(), rs.getStatusCodes(), rs.getBudgetPercent(), rs.getMinRetryConcurrency());
    String replacement = r.getRewrite() == null ? null : r.getRewrite().getReplacePrefixMatch();
    return new CompiledRoute(policy, r.getName(), index, path, methods, headers, backends, timeout,
        r.getCachePolicyRef(), retries, replacement, HeaderEdits.of(r.getRequestHeaderModifier()),
        HeaderEdits.of(r.getResponseHeaderModifier()));
  }

  private static WeightedBackend backend(Backend b, BackendResolver resolver) {
    int weight = b.getWeight() == null ? 100 : b.getWeight();
    if (b.getUrl() != null) {
      URI uri = URI.create(b.getUrl());
      String scheme = uri.getScheme();
      int port = uri.getPort() > 0 ? uri.getPort() : "https".equalsIgnoreCase(scheme) ? 443 : 80;
      String host = uri.getHost();
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      String base = uri.getRawPath() == null ? "" : uri.getRawPath();
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      return new WeightedBackend(new Endpoint(scheme, host, port), base, weight);
    }
    Endpoint e = resolver.resolve(b.getService(), b.getPort());
    if (e == null) {
      throw new IllegalArgumentException("service " + b.getService() + ":" + b.getPort() + " does not resolve");
    }
    return new WeightedBackend(e, "", weight);
  }
}

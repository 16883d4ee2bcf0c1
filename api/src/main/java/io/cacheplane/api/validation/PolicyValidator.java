package io.cacheplane.api.validation;

import io.cacheplane.api.v1alpha1.AnalysisSpec;
import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheScope;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.HeaderModifier;
import io.cacheplane.api.v1alpha1.HttpHeader;
import io.cacheplane.api.v1alpha1.RetrySpec;
import io.cacheplane.api.v1alpha1.UrlRewrite;
import io.cacheplane.api.v1alpha1.CacheableSpec;
import io.cacheplane.api.v1alpha1.HeaderMatch;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RouteMatch;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The pure validation of both policy kinds: every violation, with its field path and the rule it breaks.
 * The operator refuses a spec with any violation; agents run the same code over every envelope.
 * Cross-field rules live here (Kubernetes 1.20 has no CEL); the CRD schema catches shape first.
 */
public final class PolicyValidator {

  /** Most routes one RoutePolicy may hold. */
  public static final int MAX_ROUTES = 500;
  /** Most items in any other list of a spec (methods, headers, backends, steps...). */
  public static final int MAX_ITEMS = 64;

  private static final Set<String> SELECTOR_OPERATORS = Set.of("In", "NotIn", "Exists", "DoesNotExist");

  private PolicyValidator() {}

  /** Every violation of a CachePolicy spec; empty when valid. A {@code null} spec is one violation. */
  public static List<Violation> validate(CachePolicySpec spec) {
    Checker c = new Checker();
    if (!c.required("spec", spec)) {
      return c.violations();
    }
    common(c, spec);
    cache(c, spec.getCache());
    key(c, spec.getKey());
    cacheable(c, spec.getCacheable());
    scope(c, spec);
    c.range("spec.purgeGeneration", spec.getPurgeGeneration(), 0, Long.MAX_VALUE);
    return c.violations();
  }

  /** Every violation of a RoutePolicy spec; empty when valid. References to CachePolicies are not checked here. */
  public static List<Violation> validate(RoutePolicySpec spec) {
    Checker c = new Checker();
    if (!c.required("spec", spec)) {
      return c.violations();
    }
    common(c, spec);
    List<Route> routes = spec.getRoutes();
    if (c.required("spec.routes", routes)) {
      if (routes.size() > MAX_ROUTES) {
        c.add("spec.routes", "must have at most " + MAX_ROUTES + " routes, got " + routes.size());
      } else {
        c.unique("spec.routes", routes, Route::getName, "route name");
        for (int i = 0; i < routes.size(); i++) {
          route(c, "spec.routes[" + i + "]", routes.get(i));
        }
      }
    }
    return c.violations();
  }

  private static void common(Checker c, PolicySpec spec) {
    selector(c, "spec.agentSelector", spec.getAgentSelector());
    rollout(c, "spec.rollout", spec.getRollout());
  }

  private static void selector(Checker c, String field, LabelSelector selector) {
    if (selector == null || selector.getMatchExpressions() == null) {
      return;
    }
    List<LabelSelectorRequirement> exprs = selector.getMatchExpressions();
    for (int i = 0; i < exprs.size(); i++) {
      LabelSelectorRequirement r = exprs.get(i);
      String f = field + ".matchExpressions[" + i + "]";
      if (r == null) {
        c.add(f, "must not be null");
        continue;
      }
      c.required(f + ".key", r.getKey());
      if (!SELECTOR_OPERATORS.contains(r.getOperator())) {
        c.add(f + ".operator", "must be one of In, NotIn, Exists, DoesNotExist, got \"" + r.getOperator() + "\"");
      } else if (r.getOperator().endsWith("In") && (r.getValues() == null || r.getValues().isEmpty())) {
        c.add(f + ".values", "must not be empty with operator " + r.getOperator());
      } else if (r.getOperator().contains("Exist") && r.getValues() != null && !r.getValues().isEmpty()) {
        c.add(f + ".values", "must be empty with operator " + r.getOperator());
      }
    }
  }

  private static void rollout(Checker c, String field, RolloutStrategy rollout) {
    if (rollout == null) {
      return;
    }
    List<RolloutStep> steps = rollout.getSteps();
    if (steps != null) {
      c.atMost(field + ".steps", steps, MAX_ITEMS);
      for (int i = 0; i < steps.size() && i < MAX_ITEMS; i++) {
        String f = field + ".steps[" + i + "]";
        RolloutStep step = steps.get(i);
        if (step == null || (step.getSetWeight() == null) == (step.getPause() == null)) {
          c.add(f, "must set exactly one of setWeight or pause");
          continue;
        }
        c.range(f + ".setWeight", step.getSetWeight(), 0, 100);
        if (step.getPause() != null) {
          c.positiveDuration(f + ".pause.duration", step.getPause().getDuration());
        }
      }
    }
    c.positiveDuration(field + ".progressDeadline", rollout.getProgressDeadline());
    AnalysisSpec analysis = rollout.getAnalysis();
    if (analysis != null) {
      c.positiveDuration(field + ".analysis.interval", analysis.getInterval());
      Double rate = analysis.getMaxErrorRate();
      if (rate != null && (rate.isNaN() || rate < 0 || rate > 1)) {
        c.add(field + ".analysis.maxErrorRate", "must be a fraction between 0.0 and 1.0, got " + rate);
      }
      c.range(field + ".analysis.minRequests", analysis.getMinRequests(), 0, Long.MAX_VALUE);
      c.range(field + ".analysis.failureLimit", analysis.getFailureLimit(), 0, Integer.MAX_VALUE);
    }
  }

  private static void cache(Checker c, CacheSettings cache) {
    if (cache == null) {
      return;
    }
    String f = "spec.cache";
    if (cache.getMaximumSize() != null && cache.getMaximumWeight() != null) {
      c.add(f + ".maximumWeight", "maximumSize and maximumWeight are mutually exclusive (as in Caffeine): set one");
    }
    c.range(f + ".maximumSize", cache.getMaximumSize(), 1, Long.MAX_VALUE);
    Long weight = c.positiveBytes(f + ".maximumWeight", cache.getMaximumWeight());
    Long entry = c.positiveBytes(f + ".maxEntrySize", cache.getMaxEntrySize());
    if (weight != null && entry != null && entry > weight) {
      c.add(f + ".maxEntrySize", "must not exceed maximumWeight (" + weight + " bytes), got " + entry + " bytes");
    }
    c.positiveDuration(f + ".expireAfterWrite", cache.getExpireAfterWrite());
    c.positiveDuration(f + ".expireAfterAccess", cache.getExpireAfterAccess());
    c.positiveDuration(f + ".staleWhileRevalidate", cache.getStaleWhileRevalidate());
    c.positiveDuration(f + ".staleIfError", cache.getStaleIfError());
  }

  private static void scope(Checker c, CachePolicySpec spec) {
    CacheScope scope = spec.getScope() == null ? CacheScope.Global : spec.getScope();
    if (scope == CacheScope.Global) {
      if (spec.getScopeHeader() != null) {
        c.add("spec.scopeHeader", "is only allowed with scope Tenant or User");
      }
    } else {
      c.headerName("spec.scopeHeader", spec.getScopeHeader());
      String header = spec.getScopeHeader() == null ? null : spec.getScopeHeader().toLowerCase(Locale.ROOT);
      if (header != null && UNMODIFIABLE_HEADERS.contains(header)) {
        c.add("spec.scopeHeader", "must not be a hop-by-hop or framing header, got \""
            + Values.abbreviate(spec.getScopeHeader()) + "\"");
      } else if ("authorization".equals(header) || "cookie".equals(header)) {
        c.add("spec.scopeHeader", "must not be Authorization or Cookie: requests carrying credentials bypass a shared "
            + "cache, so such a cache would never be used; name the identity header your authenticating proxy sets "
            + "(e.g. X-User-Id)");
      }
    }
  }

  private static void key(Checker c, CacheKeySpec key) {
    if (key == null) {
      return;
    }
    List<String> params = key.getQueryParameters();
    if (params != null) {
      c.atMost("spec.key.queryParameters", params, MAX_ITEMS);
      for (int i = 0; i < params.size(); i++) {
        c.required("spec.key.queryParameters[" + i + "]", params.get(i));
      }
      c.unique("spec.key.queryParameters", params, p -> p, "query parameter");
    }
    List<String> headers = key.getHeaders();
    if (headers != null) {
      c.atMost("spec.key.headers", headers, MAX_ITEMS);
      for (int i = 0; i < headers.size(); i++) {
        c.headerName("spec.key.headers[" + i + "]", headers.get(i));
      }
      c.unique("spec.key.headers", headers, h -> h == null ? null : h.toLowerCase(Locale.ROOT), "header");
    }
  }

  private static void cacheable(Checker c, CacheableSpec cacheable) {
    if (cacheable == null) {
      return;
    }
    if (cacheable.getMethods() != null) {
      c.atMost("spec.cacheable.methods", cacheable.getMethods(), MAX_ITEMS);
      for (int i = 0; i < cacheable.getMethods().size(); i++) {
        c.required("spec.cacheable.methods[" + i + "]", cacheable.getMethods().get(i));
      }
      c.unique("spec.cacheable.methods", cacheable.getMethods(), m -> m, "method");
    }
    List<Integer> codes = cacheable.getStatusCodes();
    if (codes != null) {
      c.atMost("spec.cacheable.statusCodes", codes, 500);
      for (int i = 0; i < codes.size(); i++) {
        if (c.required("spec.cacheable.statusCodes[" + i + "]", codes.get(i))) {
          c.range("spec.cacheable.statusCodes[" + i + "]", codes.get(i), 100, 599);
        }
      }
      c.unique("spec.cacheable.statusCodes", codes, code -> code, "status code");
    }
  }

  private static void route(Checker c, String f, Route route) {
    if (route == null) {
      c.add(f, "must not be null");
      return;
    }
    c.dnsLabel(f + ".name", route.getName());
    match(c, f + ".match", route.getMatch());
    List<Backend> backends = route.getBackends();
    if (c.required(f + ".backends", backends)) {
      c.atMost(f + ".backends", backends, MAX_ITEMS);
      int sum = 0;
      boolean allWeighted = true;
      for (int i = 0; i < backends.size() && i < MAX_ITEMS; i++) {
        Backend b = backends.get(i);
        String bf = f + ".backends[" + i + "]";
        if (b == null) {
          c.add(bf, "must not be null");
          continue;
        }
        backend(c, bf, b);
        if (b.getWeight() == null) {
          allWeighted = false;
        } else {
          sum += b.getWeight();
        }
      }
      if (backends.size() > 1 && !allWeighted) {
        c.add(f + ".backends", "every backend needs a weight when a route has more than one");
      } else if (allWeighted && sum != 100) {
        c.add(f + ".backends", "weights must sum to 100, got " + sum);
      }
    }
    c.positiveDuration(f + ".timeout", route.getTimeout());
    if (route.getCachePolicyRef() != null) {
      c.objectName(f + ".cachePolicyRef", route.getCachePolicyRef());
    }
    retries(c, f + ".retries", route.getRetries());
    UrlRewrite rewrite = route.getRewrite();
    if (rewrite != null) {
      if (c.required(f + ".rewrite.replacePrefixMatch", rewrite.getReplacePrefixMatch())) {
        absolutePath(c, f + ".rewrite.replacePrefixMatch", rewrite.getReplacePrefixMatch());
      }
      if (route.getMatch() == null || route.getMatch().getPathPrefix() == null) {
        c.add(f + ".rewrite.replacePrefixMatch", "requires match.pathPrefix");
      }
    }
    headerModifier(c, f + ".requestHeaderModifier", route.getRequestHeaderModifier());
    headerModifier(c, f + ".responseHeaderModifier", route.getResponseHeaderModifier());
  }

  private static void retries(Checker c, String f, RetrySpec retries) {
    if (retries == null) {
      return;
    }
    c.range(f + ".attempts", retries.getAttempts(), 0, 5);
    List<Integer> codes = retries.getStatusCodes();
    if (codes != null) {
      c.atMost(f + ".statusCodes", codes, MAX_ITEMS);
      for (int i = 0; i < codes.size() && i < MAX_ITEMS; i++) {
        if (c.required(f + ".statusCodes[" + i + "]", codes.get(i))) {
          c.range(f + ".statusCodes[" + i + "]", codes.get(i), 500, 599);
        }
      }
      c.unique(f + ".statusCodes", codes, code -> code, "status code");
    }
    c.range(f + ".budgetPercent", retries.getBudgetPercent(), 0, 100);
    c.range(f + ".minRetryConcurrency", retries.getMinRetryConcurrency(), 0, 1000);
  }

  /** Headers a modifier may not touch: hop-by-hop (RFC 9110 section 7.6.1) and message framing. */
  static final Set<String> UNMODIFIABLE_HEADERS = Set.of("connection", "keep-alive", "proxy-connection",
      "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
      "content-length");
  private static final int MAX_HEADER_VALUE = 4096;

  private static void headerModifier(Checker c, String f, HeaderModifier modifier) {
    if (modifier == null) {
      return;
    }
    for (String list : List.of("set", "add")) {
      List<HttpHeader> headers = list.equals("set") ? modifier.getSet() : modifier.getAdd();
      if (headers == null) {
        continue;
      }
      String lf = f + "." + list;
      c.atMost(lf, headers, MAX_ITEMS);
      for (int i = 0; i < headers.size() && i < MAX_ITEMS; i++) {
        HttpHeader h = headers.get(i);
        String hf = lf + "[" + i + "]";
        if (h == null) {
          c.add(hf, "must not be null");
          continue;
        }
        modifiableHeader(c, hf + ".name", h.getName());
        String value = h.getValue();
        if (value == null) {
          c.add(hf + ".value", "is required");
        } else if (value.length() > MAX_HEADER_VALUE || value.chars().anyMatch(ch -> ch < 0x20 && ch != '\t' || ch == 0x7f || ch > 0xff)) {
          c.add(hf + ".value", "must be at most " + MAX_HEADER_VALUE + " characters of visible text, no CR, LF or other "
              + "control characters (header injection), got \"" + Values.abbreviate(value) + "\"");
        }
      }
      c.unique(lf, headers, h -> h == null || h.getName() == null ? null : h.getName().toLowerCase(Locale.ROOT), "header");
    }
    List<String> remove = modifier.getRemove();
    if (remove != null) {
      c.atMost(f + ".remove", remove, MAX_ITEMS);
      for (int i = 0; i < remove.size() && i < MAX_ITEMS; i++) {
        modifiableHeader(c, f + ".remove[" + i + "]", remove.get(i));
      }
      c.unique(f + ".remove", remove, h -> h == null ? null : h.toLowerCase(Locale.ROOT), "header");
    }
  }

  private static void modifiableHeader(Checker c, String field, String name) {
    c.headerName(field, name);
    if (name != null && UNMODIFIABLE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
      c.add(field, "must not be a hop-by-hop or framing header (Connection, Host, Content-Length, Transfer-Encoding...), "
          + "got \"" + Values.abbreviate(name) + "\"");
    }
  }

  private static void match(Checker c, String f, RouteMatch match) {
    if (match == null) {
      return;
    }
    int kinds = (match.getPath() != null ? 1 : 0) + (match.getPathPrefix() != null ? 1 : 0)
        + (match.getPathRegex() != null ? 1 : 0);
    if (kinds > 1) {
      c.add(f, "set at most one of path, pathPrefix and pathRegex");
    }
    absolutePath(c, f + ".path", match.getPath());
    absolutePath(c, f + ".pathPrefix", match.getPathPrefix());
    if (match.getPathRegex() != null) {
      c.regex(f + ".pathRegex", match.getPathRegex());
    }
    if (match.getMethods() != null) {
      c.atMost(f + ".methods", match.getMethods(), MAX_ITEMS);
      for (int i = 0; i < match.getMethods().size(); i++) {
        c.required(f + ".methods[" + i + "]", match.getMethods().get(i));
      }
      c.unique(f + ".methods", match.getMethods(), m -> m, "method");
    }
    List<HeaderMatch> headers = match.getHeaders();
    if (headers != null) {
      c.atMost(f + ".headers", headers, MAX_ITEMS);
      for (int i = 0; i < headers.size() && i < MAX_ITEMS; i++) {
        HeaderMatch h = headers.get(i);
        String hf = f + ".headers[" + i + "]";
        if (h == null) {
          c.add(hf, "must not be null");
          continue;
        }
        c.headerName(hf + ".name", h.getName());
        if (h.getValue() != null && h.getRegex() != null) {
          c.add(hf, "set at most one of value and regex");
        }
        if (h.getRegex() != null) {
          c.regex(hf + ".regex", h.getRegex());
        }
      }
    }
  }

  private static void absolutePath(Checker c, String field, String path) {
    if (path == null) {
      return;
    }
    if (!path.startsWith("/") || path.length() > 2048 || path.chars().anyMatch(ch -> ch <= 0x20 || ch == 0x7f)) {
      c.add(field, "must start with / and contain no spaces or control characters (at most 2048 characters)");
      return;
    }
    String problem = pathProblem(path);
    if (problem != null) {
      c.add(field, problem);
    }
  }

  /**
   * Why an absolute path may not be used to match requests or as a backend base path, or {@code null}. The agent
   * refuses requests whose path holds a dot segment ({@code .} or {@code ..}, RFC 3986 §5.2.4, also spelled
   * {@code %2e}), an encoded slash or a backslash, so a rule holding one could never match, or would name a different
   * path on an upstream that resolves them; {@code //} is refused too, since upstreams commonly collapse it.
   */
  private static String pathProblem(String path) {
    String lower = path.toLowerCase(Locale.ROOT);
    if (lower.contains("%2f") || lower.contains("%5c") || path.indexOf('\\') >= 0) {
      return "must not contain an encoded slash (%2F, %5C) or a backslash, got \"" + Values.abbreviate(path) + "\"";
    }
    if (path.contains("//")) {
      return "must not contain an empty segment (//), got \"" + Values.abbreviate(path) + "\"";
    }
    for (String segment : lower.replace("%2e", ".").split("/", -1)) {
      int semi = segment.indexOf(';');
      String name = semi >= 0 ? segment.substring(0, semi) : segment;
      if (name.equals(".") || name.equals("..")) {
        return "must not contain a . or .. segment (RFC 3986 §5.2.4), got \"" + Values.abbreviate(path) + "\"";
      }
    }
    return null;
  }

  private static void backend(Checker c, String f, Backend b) {
    if ((b.getUrl() == null) == (b.getService() == null)) {
      c.add(f, "set exactly one of url and service");
    }
    if (b.getUrl() != null) {
      try {
        URI uri = new URI(b.getUrl());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
          c.add(f + ".url", "must be an absolute http or https URL with a host, got \"" + Values.abbreviate(b.getUrl()) + "\"");
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
          c.add(f + ".url", "must not have user info, a query or a fragment");
        } else if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
          String problem = pathProblem(uri.getRawPath());
          if (problem != null) {
            c.add(f + ".url", "path " + problem);
          }
        }
      } catch (URISyntaxException e) {
        c.add(f + ".url", "must be an absolute http or https URL: " + e.getReason());
      }
    }
    if (b.getService() != null) {
      c.dnsLabel(f + ".service", b.getService());
      if (b.getPort() == null) {
        c.add(f + ".port", "is required with service");
      }
    }
    c.range(f + ".port", b.getPort(), 1, 65535);
    c.range(f + ".weight", b.getWeight(), 0, 100);
  }
}

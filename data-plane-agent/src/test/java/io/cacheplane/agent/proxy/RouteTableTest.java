package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.HeaderMatch;
import io.cacheplane.api.v1alpha1.HttpMethod;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RouteMatch;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteTableTest {

  private static final BackendResolver RESOLVER = (s, p) -> Endpoint.http("127.0.0.1", p);

  /** A route: kind is "exact", "prefix", "regex" or "any". */
  private static Route route(String name, String kind, String pattern, List<HttpMethod> methods, HeaderMatch header) {
    Route r = new Route();
    r.setName(name);
    RouteMatch m = new RouteMatch();
    switch (kind) {
      case "exact" -> m.setPath(pattern);
      case "prefix" -> m.setPathPrefix(pattern);
      case "regex" -> m.setPathRegex(pattern);
      default -> { }
    }
    m.setMethods(methods);
    m.setHeaders(header == null ? null : List.of(header));
    r.setMatch(m);
    Backend b = new Backend();
    b.setService("svc");
    b.setPort(8080);
    r.setBackends(List.of(b));
    return r;
  }

  private static Route route(String name, String kind, String pattern) {
    return route(name, kind, pattern, null, null);
  }

  private static List<CompiledRoute> policy(String name, Route... routes) {
    RoutePolicySpec spec = new RoutePolicySpec();
    spec.setRoutes(new ArrayList<>(List.of(routes)));
    return RouteCompiler.compile(name, spec, RESOLVER);
  }

  private static RouteTable table(List<List<CompiledRoute>> policies) {
    List<CompiledRoute> all = new ArrayList<>();
    policies.forEach(all::addAll);
    return RouteTable.of(all);
  }

  private static final Function<String, List<String>> NO_HEADERS = n -> List.of();

  private static Function<String, List<String>> headers(Map<String, String> h) {
    Map<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    h.forEach((k, v) -> ci.put(k, List.of(v)));
    return n -> ci.getOrDefault(n, List.of());
  }

  private static String matched(RouteTable t, String method, String path) {
    CompiledRoute r = t.match(method, path, NO_HEADERS);
    return r == null ? null : r.policy() + "/" + r.name();
  }

  static final RouteTable MIXED = table(List.of(
      policy("b-policy",
          route("regex-api", "regex", "/api/.*"),
          route("prefix-api", "prefix", "/api"),
          route("exact-api-items", "exact", "/api/items"),
          route("prefix-api-items", "prefix", "/api/items")),
      policy("a-policy",
          route("regex-first", "regex", "/r/[0-9]+"),
          route("prefix-api", "prefix", "/api"),
          route("catch-all", "any", null)),
      policy("c-policy",
          route("regex-any-r", "regex", "/r/.*"))));

  static Stream<Arguments> ordering() {
    return Stream.of(
        Arguments.of("exact beats prefix and regex", "/api/items", "b-policy/exact-api-items"),
        Arguments.of("longest prefix wins", "/api/items/42", "b-policy/prefix-api-items"),
        Arguments.of("prefix tie goes to the policy name", "/api/other", "a-policy/prefix-api"),
        Arguments.of("prefix matches its own path", "/api", "a-policy/prefix-api"),
        Arguments.of("prefix respects segment boundaries", "/apix", "a-policy/catch-all"),
        Arguments.of("regex after every prefix but catch-all is a prefix too", "/r/12", "a-policy/catch-all"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ordering")
  void mergedOrdering(String why, String path, String expected) {
    assertThat(matched(MIXED, "GET", path)).isEqualTo(expected);
  }

  @Test
  void regexesInDeclaredOrderTiesByPolicyName() {
    RouteTable t = table(List.of(
        policy("b", route("second", "regex", "/r/.*")),
        policy("a", route("nomatch", "regex", "/x/.*"), route("first", "regex", "/r/[0-9]+"), route("later", "regex", "/r/.*"))));
    assertThat(matched(t, "GET", "/r/12")).isEqualTo("a/first");
    assertThat(matched(t, "GET", "/r/abc")).isEqualTo("a/later");
    assertThat(matched(t, "GET", "/r")).isNull();
    assertThat(matched(t, "GET", "/x/r/1")).isEqualTo("a/nomatch");
  }

  @Test
  void regexMustMatchTheWholePath() {
    RouteTable t = table(List.of(policy("p", route("digits", "regex", "/[0-9]+"))));
    assertThat(matched(t, "GET", "/123")).isEqualTo("p/digits");
    assertThat(matched(t, "GET", "/123/x")).isNull();
  }

  @Test
  void prefixWithTrailingSlashMatchesBelowOnly() {
    RouteTable t = table(List.of(policy("p", route("slash", "prefix", "/api/"))));
    assertThat(matched(t, "GET", "/api/x")).isEqualTo("p/slash");
    assertThat(matched(t, "GET", "/api/")).isEqualTo("p/slash");
    assertThat(matched(t, "GET", "/api")).isNull();
  }

  @Test
  void methodAndHeaderConditionsMustHoldOtherwiseTheNextRouteIsTried() {
    HeaderMatch beta = new HeaderMatch();
    beta.setName("X-Channel");
    beta.setValue("beta");
    HeaderMatch present = new HeaderMatch();
    present.setName("x-debug");
    HeaderMatch regex = new HeaderMatch();
    regex.setName("X-Version");
    regex.setRegex("v[0-9]+");
    RouteTable t = table(List.of(policy("p",
        route("beta", "exact", "/a", null, beta),
        route("posts", "exact", "/a", List.of(HttpMethod.POST), null),
        route("debug", "prefix", "/a", null, present),
        route("versioned", "prefix", "/", null, regex),
        route("fallback", "prefix", "/a"))));
    assertThat(t.match("GET", "/a", headers(Map.of("x-channel", "beta"))).name()).isEqualTo("beta");
    assertThat(t.match("GET", "/a", headers(Map.of("X-Channel", "alpha"))).name()).isEqualTo("fallback");
    assertThat(t.match("POST", "/a", NO_HEADERS).name()).isEqualTo("posts");
    assertThat(t.match("GET", "/a", headers(Map.of("X-Debug", ""))).name()).isEqualTo("debug");
    assertThat(t.match("GET", "/b", headers(Map.of("X-Version", "v2"))).name()).isEqualTo("versioned");
    assertThat(t.match("GET", "/b", headers(Map.of("X-Version", "v2-beta")))).isNull();
    assertThat(t.match("GET", "/b", NO_HEADERS)).isNull();
  }

  static Stream<Arguments> conditions() {
    return Stream.of(
        // why, method, path, headers, expected
        Arguments.of("exact tie across policies goes to the policy name", "GET", "/same", Map.of(), "a/same-a"),
        Arguments.of("exact route whose method fails falls through to the other policy", "POST", "/same", Map.of(),
            "b/same-b"),
        Arguments.of("one of several header values suffices", "GET", "/multi", Map.of("X-Channel", List.of("alpha",
            "beta")), "a/multi-beta"),
        Arguments.of("no value matches: next route", "GET", "/multi", Map.of("X-Channel", List.of("alpha")),
            "b/catch-all"),
        Arguments.of("methods compare exactly: get is not GET", "get", "/same", Map.of(), "b/same-b"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("conditions")
  void conditionsAndTiesAcrossPolicies(String why, String method, String path, Map<String, List<String>> headers,
      String expected) {
    HeaderMatch beta = new HeaderMatch();
    beta.setName("X-Channel");
    beta.setValue("beta");
    RouteTable t = table(List.of(
        policy("b", route("same-b", "exact", "/same"), route("catch-all", "any", null)),
        policy("a", route("same-a", "exact", "/same", List.of(HttpMethod.GET), null),
            route("multi-beta", "prefix", "/multi", null, beta))));
    Map<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    ci.putAll(headers);
    CompiledRoute r = t.match(method, path, n -> ci.getOrDefault(n, List.of()));
    assertThat(r == null ? null : r.policy() + "/" + r.name()).isEqualTo(expected);
  }

  @Test
  void compilesRetriesRewriteAndHeaderModifiers() {
    Route r = route("r", "prefix", "/shop");
    io.cacheplane.api.v1alpha1.RetrySpec retries = new io.cacheplane.api.v1alpha1.RetrySpec();
    r.setRetries(retries);
    io.cacheplane.api.v1alpha1.UrlRewrite rewrite = new io.cacheplane.api.v1alpha1.UrlRewrite();
    rewrite.setReplacePrefixMatch("/v2");
    r.setRewrite(rewrite);
    io.cacheplane.api.v1alpha1.HeaderModifier m = new io.cacheplane.api.v1alpha1.HeaderModifier();
    m.setRemove(List.of("Server"));
    r.setResponseHeaderModifier(m);
    CompiledRoute c = policy("p", r).get(0);
    assertThat(c.retries().attempts()).as("RetrySpec default").isEqualTo(2);
    assertThat(c.upstreamPath("/shop/cart")).isEqualTo("/v2/cart");
    assertThat(c.requestHeaderEdits()).isEqualTo(HeaderEdits.NONE);
    assertThat(c.responseHeaderEdits().remove()).containsExactly("server");
    assertThat(policy("p", route("plain", "prefix", "/x")).get(0).retries()).as("no retries unless asked").isNull();
  }

  @Test
  void emptyTableMatchesNothing() {
    assertThat(RouteTable.EMPTY.match("GET", "/", NO_HEADERS)).isNull();
  }

  @Test
  void compilesBackendsAndDefaults() {
    Route r = route("r", "prefix", "/");
    Backend url = new Backend();
    url.setUrl("https://example.test/base/");
    url.setWeight(30);
    Backend svc = new Backend();
    svc.setService("svc");
    svc.setPort(9090);
    svc.setWeight(70);
    r.setBackends(List.of(url, svc));
    CompiledRoute c = policy("p", r).get(0);
    assertThat(c.timeout()).isEqualTo(RouteCompiler.DEFAULT_TIMEOUT);
    assertThat(c.backends()).extracting(CompiledRoute.WeightedBackend::endpoint)
        .containsExactly(new Endpoint("https", "example.test", 443), Endpoint.http("127.0.0.1", 9090));
    assertThat(c.backends().get(0).basePath()).isEqualTo("/base");
    assertThat(BackendResolver.clusterDns("shop").resolve("products", 8080))
        .isEqualTo(Endpoint.http("products.shop.svc", 8080));
  }
}

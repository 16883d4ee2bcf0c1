package io.cacheplane.api.validation;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.Fixtures;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyValidatorTest {

  @Test
  void theExamplesAreValid() {
    assertThat(PolicyValidator.validate(Fixtures.productPages().getSpec())).isEmpty();
    assertThat(PolicyValidator.validate(Fixtures.storefront().getSpec())).isEmpty();
  }

  @Test
  void anEmptyCachePolicyIsValidAndUsesDefaults() {
    assertThat(PolicyValidator.validate(new CachePolicySpec())).isEmpty();
  }

  @Test
  void aMissingSpecIsOneViolation() {
    assertThat(PolicyValidator.validate((CachePolicySpec) null)).containsExactly(new Violation("spec", "is required"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "size and weight together|cache: {maximumSize: 10, maximumWeight: 1Mi}|spec.cache.maximumWeight|mutually exclusive",
      "zero size|cache: {maximumSize: 0}|spec.cache.maximumSize|between 1 and",
      "negative size|cache: {maximumSize: -5}|spec.cache.maximumSize|between 1 and",
      "zero weight|cache: {maximumWeight: 0}|spec.cache.maximumWeight|at least 1 byte",
      "weight not a quantity|cache: {maximumWeight: lots}|spec.cache.maximumWeight|quantity of bytes",
      "negative entry size|cache: {maxEntrySize: -1Ki}|spec.cache.maxEntrySize|negative",
      "fractional bytes|cache: {maxEntrySize: '0.5'}|spec.cache.maxEntrySize|whole number",
      "entry larger than cache|cache: {maximumWeight: 1Ki, maxEntrySize: 2Ki}|spec.cache.maxEntrySize|must not exceed maximumWeight",
      "zero TTL|cache: {expireAfterWrite: 0s}|spec.cache.expireAfterWrite|positive duration",
      "TTL not a duration|cache: {expireAfterWrite: five minutes}|spec.cache.expireAfterWrite|must be a duration",
      "blank TTL|cache: {expireAfterAccess: ' '}|spec.cache.expireAfterAccess|blank",
      "TTL over a year|cache: {expireAfterWrite: 9000h}|spec.cache.expireAfterWrite|at most 8760h",
      "blank query parameter|key: {queryParameters: [page, ' ']}|spec.key.queryParameters[1]|is required",
      "duplicate query parameter|key: {queryParameters: [page, page]}|spec.key.queryParameters[1]|duplicate query parameter",
      "header with a space|key: {headers: [Accept Language]}|spec.key.headers[0]|header name",
      "duplicate header in other case|key: {headers: [Accept, accept]}|spec.key.headers[1]|duplicate header",
      "status code out of range|cacheable: {statusCodes: [200, 999]}|spec.cacheable.statusCodes[1]|between 100 and 599",
      "zero stale-while-revalidate|cache: {staleWhileRevalidate: 0s}|spec.cache.staleWhileRevalidate|positive duration",
      "stale-if-error not a duration|cache: {staleIfError: forever}|spec.cache.staleIfError|must be a duration",
      "tenant scope without header|scope: Tenant|spec.scopeHeader|is required",
      "user scope header not a token|{scope: User, scopeHeader: 'X User'}|spec.scopeHeader|header name",
      "global scope with header|scopeHeader: X-Tenant|spec.scopeHeader|only allowed with scope Tenant or User",
      "scope header is framing|{scope: Tenant, scopeHeader: Content-Length}|spec.scopeHeader|hop-by-hop",
      "scope header is Authorization|{scope: Tenant, scopeHeader: Authorization}|spec.scopeHeader|must not be Authorization or Cookie",
      "duplicate cacheable method|cacheable: {methods: [GET, GET]}|spec.cacheable.methods[1]|duplicate method",
      "duplicate cacheable status|cacheable: {statusCodes: [200, 200]}|spec.cacheable.statusCodes[1]|duplicate status code",
      "negative purge generation|purgeGeneration: -1|spec.purgeGeneration|between 0 and",
      "step with both|rollout: {steps: [{setWeight: 10, pause: {}}]}|spec.rollout.steps[0]|exactly one of setWeight or pause",
      "empty step|rollout: {steps: [{}]}|spec.rollout.steps[0]|exactly one of setWeight or pause",
      "weight over 100|rollout: {steps: [{setWeight: 101}]}|spec.rollout.steps[0].setWeight|between 0 and 100",
      "zero bake|rollout: {steps: [{pause: {duration: 0s}}]}|spec.rollout.steps[0].pause.duration|positive",
      "error rate over 1|rollout: {analysis: {maxErrorRate: 1.5}}|spec.rollout.analysis.maxErrorRate|between 0.0 and 1.0",
      "bad selector operator|agentSelector: {matchExpressions: [{key: a, operator: Near}]}|spec.agentSelector.matchExpressions[0].operator|one of In",
  })
  void invalidCachePoliciesNameTheFieldAndTheRule(String name, String yaml, String field, String rule) {
    List<Violation> violations = PolicyValidator.validate(Fixtures.yaml(yaml, CachePolicySpec.class));
    assertThat(violations).anySatisfy(v -> {
      assertThat(v.field()).isEqualTo(field);
      assertThat(v.message()).contains(rule);
    });
  }

  private static final String ROUTE = "{name: r, backends: [{url: 'http://up:8080'}]}";

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "no routes|routes: []|spec.routes|is required",
      "blank route name|routes: [{name: ' ', backends: [{url: 'http://a'}]}]|spec.routes[0].name|is required",
      "route name not a label|routes: [{name: Products_1, backends: [{url: 'http://a'}]}]|spec.routes[0].name|DNS-1123 label",
      "duplicate route names|routes: [ROUTE, ROUTE]|spec.routes[1]|duplicate route name",
      "no backends|routes: [{name: r, backends: []}]|spec.routes[0].backends|is required",
      "weights not summing to 100|routes: [{name: r, backends: [{url: 'http://a', weight: 50}, {url: 'http://b', weight: 40}]}]|spec.routes[0].backends|sum to 100, got 90",
      "all weights zero|routes: [{name: r, backends: [{url: 'http://a', weight: 0}, {url: 'http://b', weight: 0}]}]|spec.routes[0].backends|sum to 100, got 0",
      "weight missing on one of two|routes: [{name: r, backends: [{url: 'http://a', weight: 100}, {url: 'http://b'}]}]|spec.routes[0].backends|every backend needs a weight",
      "url and service|routes: [{name: r, backends: [{url: 'http://a', service: b, port: 80}]}]|spec.routes[0].backends[0]|exactly one of url and service",
      "not http|routes: [{name: r, backends: [{url: 'ftp://a'}]}]|spec.routes[0].backends[0].url|http or https",
      "url with query|routes: [{name: r, backends: [{url: 'http://a/?x=1'}]}]|spec.routes[0].backends[0].url|query",
      "service without port|routes: [{name: r, backends: [{service: products}]}]|spec.routes[0].backends[0].port|required with service",
      "port out of range|routes: [{name: r, backends: [{service: products, port: 70000}]}]|spec.routes[0].backends[0].port|between 1 and 65535",
      "negative timeout|routes: [{name: r, timeout: '-1s', backends: [{url: 'http://a'}]}]|spec.routes[0].timeout|duration",
      "two path kinds|routes: [{name: r, match: {path: /a, pathPrefix: /b}, backends: [{url: 'http://a'}]}]|spec.routes[0].match|at most one of path",
      "relative prefix|routes: [{name: r, match: {pathPrefix: api}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|must start with /",
      "dot-dot segment in path|routes: [{name: r, match: {path: /a/../b}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.path|. or .. segment",
      "dot segment in prefix|routes: [{name: r, match: {pathPrefix: /a/./b}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|. or .. segment",
      "trailing dot-dot in prefix|routes: [{name: r, match: {pathPrefix: /api/..}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|. or .. segment",
      "encoded dot-dot in prefix|routes: [{name: r, match: {pathPrefix: /a/%2E%2e/b}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|. or .. segment",
      "dot-dot with parameters|routes: [{name: r, match: {path: '/a/..;x/b'}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.path|. or .. segment",
      "encoded slash in path|routes: [{name: r, match: {path: /a%2Fb}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.path|encoded slash",
      "encoded backslash in prefix|routes: [{name: r, match: {pathPrefix: /a%5cb}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|encoded slash",
      "backslash in prefix|routes: [{name: r, match: {pathPrefix: '/a\\b'}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|backslash",
      "empty segment in prefix|routes: [{name: r, match: {pathPrefix: /a//b}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathPrefix|(//)",
      "empty segment in path|routes: [{name: r, match: {path: //a}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.path|(//)",
      "dot-dot in backend url|routes: [{name: r, backends: [{url: 'http://a/base/../admin'}]}]|spec.routes[0].backends[0].url|. or .. segment",
      "encoded slash in backend url|routes: [{name: r, backends: [{url: 'http://a/a%2fb'}]}]|spec.routes[0].backends[0].url|encoded slash",
      "empty segment in backend url|routes: [{name: r, backends: [{url: 'http://a/base//x'}]}]|spec.routes[0].backends[0].url|(//)",
      "backreference regex|routes: [{name: r, match: {pathRegex: '(a)\\1'}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathRegex|RE2",
      "lookahead regex|routes: [{name: r, match: {pathRegex: '(?=a)'}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.pathRegex|RE2",
      "blank cache reference|routes: [{name: r, cachePolicyRef: '', backends: [{url: 'http://a'}]}]|spec.routes[0].cachePolicyRef|is required",
      "cache reference not a name|routes: [{name: r, cachePolicyRef: 'Bad Name', backends: [{url: 'http://a'}]}]|spec.routes[0].cachePolicyRef|object name",
      "too many retries|routes: [{name: r, retries: {attempts: 9}, backends: [{url: 'http://a'}]}]|spec.routes[0].retries.attempts|between 0 and 5",
      "retry on a 4xx|routes: [{name: r, retries: {statusCodes: [503, 404]}, backends: [{url: 'http://a'}]}]|spec.routes[0].retries.statusCodes[1]|between 500 and 599",
      "duplicate retry status|routes: [{name: r, retries: {statusCodes: [503, 503]}, backends: [{url: 'http://a'}]}]|spec.routes[0].retries.statusCodes[1]|duplicate status code",
      "duplicate match method|routes: [{name: r, match: {methods: [GET, GET]}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.methods[1]|duplicate method",
      "budget over 100|routes: [{name: r, retries: {budgetPercent: 150}, backends: [{url: 'http://a'}]}]|spec.routes[0].retries.budgetPercent|between 0 and 100",
      "rewrite without prefix match|routes: [{name: r, rewrite: {replacePrefixMatch: /v2}, backends: [{url: 'http://a'}]}]|spec.routes[0].rewrite.replacePrefixMatch|requires match.pathPrefix",
      "rewrite to a relative path|routes: [{name: r, match: {pathPrefix: /a}, rewrite: {replacePrefixMatch: v2}, backends: [{url: 'http://a'}]}]|spec.routes[0].rewrite.replacePrefixMatch|must start with /",
      "rewrite with dot-dot|routes: [{name: r, match: {pathPrefix: /a}, rewrite: {replacePrefixMatch: /../admin}, backends: [{url: 'http://a'}]}]|spec.routes[0].rewrite.replacePrefixMatch|. or .. segment",
      "header injection in set|routes: [{name: r, requestHeaderModifier: {set: [{name: X-A, value: \"a\\r\\nX-Evil: 1\"}]}, backends: [{url: 'http://a'}]}]|spec.routes[0].requestHeaderModifier.set[0].value|header injection",
      "modifier touches Host|routes: [{name: r, requestHeaderModifier: {set: [{name: Host, value: evil}]}, backends: [{url: 'http://a'}]}]|spec.routes[0].requestHeaderModifier.set[0].name|hop-by-hop",
      "modifier removes Connection|routes: [{name: r, responseHeaderModifier: {remove: [Connection]}, backends: [{url: 'http://a'}]}]|spec.routes[0].responseHeaderModifier.remove[0]|hop-by-hop",
      "duplicate set header|routes: [{name: r, responseHeaderModifier: {set: [{name: X-A, value: a}, {name: x-a, value: b}]}, backends: [{url: 'http://a'}]}]|spec.routes[0].responseHeaderModifier.set[1]|duplicate header",
      "header without value|routes: [{name: r, responseHeaderModifier: {add: [{name: X-A}]}, backends: [{url: 'http://a'}]}]|spec.routes[0].responseHeaderModifier.add[0].value|is required",
      "header value and regex|routes: [{name: r, match: {headers: [{name: x, value: a, regex: b}]}, backends: [{url: 'http://a'}]}]|spec.routes[0].match.headers[0]|at most one of value and regex",
  })
  void invalidRoutePoliciesNameTheFieldAndTheRule(String name, String yaml, String field, String rule) {
    List<Violation> violations = PolicyValidator.validate(Fixtures.yaml(yaml.replace("ROUTE", ROUTE), RoutePolicySpec.class));
    assertThat(violations).anySatisfy(v -> {
      assertThat(v.field()).isEqualTo(field);
      assertThat(v.message()).contains(rule);
    });
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "path|/a.b/c",
      "path|/a..b",
      "path|/.well-known/openid-configuration",
      "pathPrefix|/.well-known",
      "pathPrefix|/",
      "pathPrefix|/api/",
      "pathPrefix|/a/.../b",
      "path|/a%20b",
  })
  void pathsWithDotsThatAreNotDotSegmentsAreValid(String kind, String path) {
    RoutePolicySpec spec = Fixtures.yaml("routes: [{name: r, match: {" + kind + ": '" + path
        + "'}, backends: [{url: 'http://a/base/v1.2/'}]}]", RoutePolicySpec.class);
    assertThat(PolicyValidator.validate(spec)).isEmpty();
  }

  @Test
  void catastrophicBacktrackingPatternIsHarmlessInRe2() {
    RoutePolicySpec spec = Fixtures.yaml(
        "routes: [{name: r, match: {pathRegex: '^(a+)+$'}, backends: [{url: 'http://a'}]}]", RoutePolicySpec.class);
    assertThat(PolicyValidator.validate(spec)).isEmpty();
    assertThat(com.google.re2j.Pattern.compile("^(a+)+$").matches("a".repeat(50_000) + "!")).isFalse();
  }

  @Test
  void controlCharactersInValuesAreEscapedInMessages() {
    RoutePolicySpec spec = Fixtures.yaml("routes: [{name: r, requestHeaderModifier: {set: [{name: X-A, value: \"a\\0b\\e[31mRED\\nX: y\"}]}, "
        + "backends: [{url: 'http://a'}]}]", RoutePolicySpec.class);
    List<Violation> violations = PolicyValidator.validate(spec);
    assertThat(violations).singleElement().satisfies(v -> {
      assertThat(v.message()).contains("a\\u0000b\\u001b[31mRED\\nX: y");
      assertThat(v.message().chars()).noneMatch(ch -> ch < 0x20);
    });
  }

  @Test
  void everyViolationIsReportedNotJustTheFirst() {
    RoutePolicySpec spec = Fixtures.yaml("""
        routes:
        - {name: ' ', timeout: 0s, backends: [{url: 'ftp://a', weight: 10}]}
        """, RoutePolicySpec.class);
    assertThat(PolicyValidator.validate(spec)).extracting(Violation::field).contains(
        "spec.routes[0].name", "spec.routes[0].timeout", "spec.routes[0].backends[0].url", "spec.routes[0].backends");
  }

  @Test
  void hugeListsAreRefusedWithoutWalkingThem() {
    String many = String.join(",", java.util.Collections.nCopies(5000, "page"));
    CachePolicySpec spec = Fixtures.yaml("key: {queryParameters: [" + many + "]}", CachePolicySpec.class);
    assertThat(PolicyValidator.validate(spec)).anySatisfy(v -> assertThat(v.message()).contains("at most 64 items"));
  }
}

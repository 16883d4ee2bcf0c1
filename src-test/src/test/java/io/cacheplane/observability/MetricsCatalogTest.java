package io.cacheplane.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.e2e.K8sTools;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The checks of {@link MetricsCatalog} on fixed inputs (so a check that lets everything through fails here), and the
 * documented table itself: every row named by the rules. {@code MetricsCatalogIT} runs them against live registries.
 */
class MetricsCatalogTest {

  static Stream<Arguments> names() {
    return Stream.of(
        Arguments.of("counter with _total", "cacheplane_cache_hits_total", "counter", true),
        Arguments.of("counter without _total", "cacheplane_cache_hits", "counter", false),
        Arguments.of("gauge with _total", "cacheplane_cache_entries_total", "gauge", false),
        Arguments.of("summary in seconds", "cacheplane_operator_reconcile_duration_seconds", "summary", true),
        Arguments.of("max gauge in seconds", "cacheplane_operator_convergence_seconds_max", "gauge", true),
        Arguments.of("duration without unit", "cacheplane_operator_reconcile_duration", "summary", false),
        Arguments.of("duration in milliseconds", "cacheplane_upstream_latency_milliseconds", "summary", false),
        Arguments.of("size in bytes", "cacheplane_operator_envelope_size_bytes", "summary", true),
        Arguments.of("size without unit", "cacheplane_operator_envelope_size", "summary", false),
        Arguments.of("size in kilobytes", "cacheplane_entry_size_kilobytes", "gauge", false),
        Arguments.of("camelCase", "cacheplane_cacheHits_total", "counter", false),
        Arguments.of("other prefix", "cache_hits_total", "counter", false),
        Arguments.of("double underscore", "cacheplane__hits_total", "counter", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("names")
  void namingRules(String row, String name, String type, boolean fine) {
    assertThat(MetricsCatalog.namingViolations(name, type).isEmpty()).as(row + ": " + name).isEqualTo(fine);
  }

  static Stream<Arguments> labelValues() {
    return Stream.of(
        Arguments.of("policy name", "product-pages", false),
        Arguments.of("dotted policy name", "pages.v2", false),
        Arguments.of("kind", "CachePolicy", false),
        Arguments.of("status class", "5xx", false),
        Arguments.of("removal cause", "SIZE", false),
        Arguments.of("snake_case enum", "progress_deadline", false),
        Arguments.of("path", "/api/products/42", true),
        Arguments.of("path without slash prefix", "api/products", true),
        Arguments.of("query", "page=1&size=2", true),
        Arguments.of("url", "http://example.com", true),
        Arguments.of("header value", "en-US, de;q=0.8", true),
        Arguments.of("cache key with separators", "GET products?page=1", true),
        Arguments.of("revision hash", "9f2c1ab07d3e4f55", true),
        Arguments.of("empty", "", true),
        Arguments.of("too long", "a".repeat(64), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("labelValues")
  void boundedLabelValues(String row, String value, boolean unbounded) {
    assertThat(MetricsCatalog.looksUnbounded(value)).as(row + ": " + value).isEqualTo(unbounded);
  }

  static Stream<Arguments> expressions() {
    return Stream.of(
        Arguments.of("a rate by labels",
            "sum by (cache) (rate(cacheplane_cache_hits_total{cache=~\"$cache\"}[$__rate_interval]))",
            Set.of("cacheplane_cache_hits_total")),
        Arguments.of("a ratio with offset and on()",
            "sum(rate(a_total[5m])) / on (cache) group_left sum(rate(b_total[5m] offset 1h)) > 0.5 * 1e-9",
            Set.of("a_total", "b_total")),
        Arguments.of("label names and strings are not metrics",
            "label_replace(up{job=\"x\"}, \"dst\", \"$1\", \"src\", \"(.*)\") == 0 and without (pod) c",
            Set.of("up", "c")),
        Arguments.of("histogram_quantile and a bare name",
            "histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m]))) or vector(0)", Set.of("x_bucket")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("expressions")
  void metricNamesOfPromql(String row, String promql, Set<String> names) {
    assertThat(MetricsCatalog.metricNames(promql)).as(row).containsExactlyInAnyOrderElementsOf(names);
  }

  @Test
  void unknownNamesAreThoseOutsideTheCatalogExceptSummaryPartsAndUp() {
    Map<String, String> catalog = Map.of("cacheplane_a_seconds", "summary", "cacheplane_b_total", "counter",
        "cacheplane_h_seconds", "histogram");
    assertThat(MetricsCatalog.unknown(Set.of("cacheplane_a_seconds_count", "cacheplane_a_seconds_sum",
        "cacheplane_b_total", "up", "cacheplane_b_total_count", "cacheplane_c_total", "cacheplane_a_seconds_bucket",
        "cacheplane_h_seconds_bucket", "cacheplane_h_seconds_count", "cacheplane_h_seconds_sum"), catalog))
        .containsExactlyInAnyOrder("cacheplane_b_total_count", "cacheplane_c_total", "cacheplane_a_seconds_bucket");
  }

  @Test
  void scrapeFamiliesNameCountersByTheirTotalAndKeepLabels() {
    String scrape = """
        # HELP cacheplane_cache_hits_total Responses served from the cache
        # TYPE cacheplane_cache_hits_total counter
        cacheplane_cache_hits_total{cache="pages",} 3.0
        # TYPE cacheplane_requests counter
        cacheplane_requests_total{policy="shop",route="a",status="2xx",} 1.0
        # TYPE cacheplane_operator_convergence_seconds summary
        cacheplane_operator_convergence_seconds_count{kind="CachePolicy",} 1.0
        cacheplane_operator_convergence_seconds_sum{kind="CachePolicy",} 2.0
        # TYPE cacheplane_upstream_duration_seconds histogram
        cacheplane_upstream_duration_seconds_bucket{outcome="2xx",policy="shop",route="a",le="0.005",} 0.0
        cacheplane_upstream_duration_seconds_bucket{outcome="2xx",policy="shop",route="a",le="+Inf",} 1.0
        cacheplane_upstream_duration_seconds_count{outcome="2xx",policy="shop",route="a",} 1.0
        # TYPE jvm_threads_live_threads gauge
        jvm_threads_live_threads 12.0
        """;
    Map<String, MetricsCatalog.Family> f = MetricsCatalog.families(scrape);
    assertThat(f).containsOnlyKeys("cacheplane_cache_hits_total", "cacheplane_requests_total",
        "cacheplane_operator_convergence_seconds", "cacheplane_upstream_duration_seconds");
    assertThat(f.get("cacheplane_upstream_duration_seconds").type()).isEqualTo("histogram");
    assertThat(f.get("cacheplane_upstream_duration_seconds").samples()).as("bucket bounds are not labels")
        .containsOnly(Map.of("outcome", "2xx", "policy", "shop", "route", "a")).hasSize(3);
    assertThat(f.get("cacheplane_requests_total").type()).isEqualTo("counter");
    assertThat(f.get("cacheplane_requests_total").samples())
        .containsExactly(Map.of("policy", "shop", "route", "a", "status", "2xx"));
    assertThat(f.get("cacheplane_operator_convergence_seconds").samples()).hasSize(2);
  }

  @Test
  void aMetricDocumentedTwiceIsAnError() {
    assertThatThrownBy(() -> MetricsCatalog.documented("""
        | `cacheplane_a_total` | counter | x | y | z |
        | `cacheplane_a_total` | counter | x | y | z |
        """)).hasMessageContaining("cacheplane_a_total");
  }

  @Test
  void everyDocumentedMetricFollowsTheNamingRules() {
    Map<String, String> doc = MetricsCatalog.documented(K8sTools.locate().repoRoot());
    assertThat(doc).hasSizeGreaterThanOrEqualTo(20);
    doc.forEach((name, type) -> {
      assertThat(type).as(name).isIn("counter", "gauge", "summary", "histogram");
      assertThat(MetricsCatalog.namingViolations(name, type)).as(name).isEmpty();
    });
  }
}

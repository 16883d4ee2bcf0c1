package io.cacheplane.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.RemovalCause;
import io.cacheplane.agent.cache.CacheConfig;
import io.cacheplane.agent.cache.CachedResponse;
import io.cacheplane.agent.cache.ResponseCache;
import io.cacheplane.agent.testing.FakeTicker;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The names Prometheus scrapes. */
class AgentMetricsTest {

  @Test
  void prometheusNamesAndLabels() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry);
    ResponseCache cache = new ResponseCache("pages", CacheConfig.defaults(), new FakeTicker(), metrics.evictionCounter("pages"));
    metrics.bindCache(cache);
    cache.put("k", new CachedResponse(200, null, List.of(), Buffer.buffer("x"), 0));
    metrics.hit("pages");
    metrics.miss("pages");
    metrics.evictionCounter("pages").accept(RemovalCause.SIZE);
    metrics.stale("pages");
    metrics.request("shop", "products", 204);
    metrics.request("shop", "products", 503);
    metrics.applied("CachePolicy", "pages");
    metrics.rejected("RoutePolicy", "shop");
    metrics.cacheNotApplied("shop", "products", "pages");

    String scrape = registry.scrape();
    assertThat(scrape).contains(
        "cacheplane_cache_hits_total{cache=\"pages\",} 1.0",
        "cacheplane_cache_misses_total{cache=\"pages\",} 1.0",
        "cacheplane_cache_evictions_total{cache=\"pages\",cause=\"SIZE\",} 1.0",
        "cacheplane_cache_stale_total{cache=\"pages\",} 1.0",
        "cacheplane_cache_entries{cache=\"pages\",} 1.0",
        "cacheplane_requests_total{policy=\"shop\",route=\"products\",status=\"2xx\",} 1.0",
        "cacheplane_requests_total{policy=\"shop\",route=\"products\",status=\"5xx\",} 1.0",
        "cacheplane_config_applies_total{kind=\"CachePolicy\",policy=\"pages\",} 1.0",
        "cacheplane_config_rejections_total{kind=\"RoutePolicy\",policy=\"shop\",} 1.0",
        "cacheplane_route_cache_not_applied_total{cache=\"pages\",policy=\"shop\",route=\"products\",} 1.0");

    metrics.unbindCache("pages");
    assertThat(registry.scrape()).doesNotContain("cacheplane_cache_entries{", "cacheplane_cache_evictions_total{");
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void upstreamAttemptsAreAHistogramInSecondsWithFixedBuckets() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry);
    metrics.upstream("shop", "products", AgentMetrics.statusClass(200), java.time.Duration.ofMillis(30).toNanos());
    metrics.upstream("shop", "products", AgentMetrics.statusClass(200), java.time.Duration.ofMillis(700).toNanos());
    metrics.upstream("shop", "products", AgentMetrics.OUTCOME_TIMEOUT, java.time.Duration.ofSeconds(40).toNanos());
    metrics.upstream("shop", "products", AgentMetrics.OUTCOME_ERROR, -5);

    String scrape = registry.scrape();
    assertThat(scrape).contains("# TYPE cacheplane_upstream_duration_seconds histogram",
        "cacheplane_upstream_duration_seconds_bucket{outcome=\"2xx\",policy=\"shop\",route=\"products\",le=\"0.025\",} 0.0",
        "cacheplane_upstream_duration_seconds_bucket{outcome=\"2xx\",policy=\"shop\",route=\"products\",le=\"0.05\",} 1.0",
        "cacheplane_upstream_duration_seconds_bucket{outcome=\"2xx\",policy=\"shop\",route=\"products\",le=\"1.0\",} 2.0",
        "cacheplane_upstream_duration_seconds_count{outcome=\"2xx\",policy=\"shop\",route=\"products\",} 2.0",
        "cacheplane_upstream_duration_seconds_sum{outcome=\"2xx\",policy=\"shop\",route=\"products\",} 0.73",
        "cacheplane_upstream_duration_seconds_bucket{outcome=\"timeout\",policy=\"shop\",route=\"products\",le=\"30.0\",} 0.0",
        "cacheplane_upstream_duration_seconds_bucket{outcome=\"timeout\",policy=\"shop\",route=\"products\",le=\"+Inf\",} 1.0",
        "cacheplane_upstream_duration_seconds_sum{outcome=\"error\",policy=\"shop\",route=\"products\",} 0.0");
    long buckets = scrape.lines()
        .filter(l -> l.startsWith("cacheplane_upstream_duration_seconds_bucket{outcome=\"2xx\""))
        .count();
    assertThat(buckets).as("bounded: the fixed buckets and +Inf").isEqualTo(AgentMetrics.UPSTREAM_BUCKETS.size() + 1);
    metrics.close();
    assertThat(registry.getMeters()).isEmpty();
  }

  @Test
  void evictionsAreCountedByCauseAndEntriesByCache() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AgentMetrics metrics = new AgentMetrics(registry);
    io.cacheplane.api.v1alpha1.CachePolicySpec spec = new io.cacheplane.api.v1alpha1.CachePolicySpec();
    io.cacheplane.api.v1alpha1.CacheSettings settings = new io.cacheplane.api.v1alpha1.CacheSettings();
    settings.setMaximumSize(2L);
    settings.setExpireAfterWrite("1m");
    spec.setCache(settings);
    FakeTicker ticker = new FakeTicker();
    ResponseCache cache = new ResponseCache("small", CacheConfig.from(spec), ticker, metrics.evictionCounter("small"));
    metrics.bindCache(cache);
    for (int i = 0; i < 5; i++) {
      cache.put("k" + i, new CachedResponse(200, null, List.of(), Buffer.buffer("x"), ticker.read()));
    }
    cache.cleanUp();
    ticker.advance(java.time.Duration.ofMinutes(2));
    cache.cleanUp();
    String scrape = registry.scrape();
    assertThat(scrape).contains("cacheplane_cache_evictions_total{cache=\"small\",cause=\"SIZE\",} 3.0",
        "cacheplane_cache_evictions_total{cache=\"small\",cause=\"EXPIRED\",} 2.0",
        "cacheplane_cache_entries{cache=\"small\",} 0.0");
    assertThat(scrape).doesNotContain("k0", "k1");
  }
}

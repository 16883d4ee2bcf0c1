package io.cacheplane.agent.metrics;

import com.github.benmanes.caffeine.cache.RemovalCause;
import io.cacheplane.agent.cache.ResponseCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The agent's Micrometer meters. Names are given in Micrometer's dotted form; the Prometheus registry exposes them as
 * written in brackets. Labels are bounded: policy, route and cache names and status classes — never keys, paths or
 * header values.
 * <ul>
 *   <li>{@value #CACHE_HITS} ({@code cacheplane_cache_hits_total{cache}}): responses served from the cache
 *       ({@code X-Cache: HIT}, coalesced waiters included);
 *   <li>{@value #CACHE_MISSES} ({@code cacheplane_cache_misses_total{cache}}): cacheable requests that went upstream
 *       ({@code X-Cache: MISS});
 *   <li>{@value #CACHE_STALE} ({@code cacheplane_cache_stale_total{cache}}): entries served past their freshness
 *       ({@code X-Cache: STALE}: stale-while-revalidate, or stale-if-error on an upstream failure);
 *   <li>{@value #CACHE_EVICTIONS} ({@code cacheplane_cache_evictions_total{cache,cause}}): entries evicted, by
 *       Caffeine's {@code RemovalCause} ({@code SIZE}, {@code EXPIRED}, {@code COLLECTED}: a bounded set). A high
 *       {@code SIZE} rate with a full cache is the sign of runaway key cardinality;
 *   <li>{@value #CACHE_ENTRIES} ({@code cacheplane_cache_entries{cache}}, unit entries): distinct keys held, read
 *       from the current Caffeine instance (also after a rebuild; may count expired entries not yet cleaned up);
 *   <li>{@value #REQUESTS} ({@code cacheplane_requests_total{policy,route,status}}): proxied requests by status class
 *       ({@code 2xx}..{@code 5xx}); requests that match no route count under policy and route {@code none};
 *   <li>{@value #ROUTE_CACHE_NOT_APPLIED} ({@code cacheplane_route_cache_not_applied_total{policy,route,cache}}):
 *       requests served uncached ({@code BYPASS}) because the route's CachePolicy is not applied on this agent;
 *   <li>{@value #ROUTE_RETRIES} / {@value #ROUTE_RETRIES_REFUSED}
 *       ({@code cacheplane_route_retries_total{policy,route}}, {@code cacheplane_route_retries_refused_total{policy,route}}):
 *       upstream retries sent / retries the route's retry budget refused;
 *   <li>{@value #UPSTREAM_DURATION} ({@code cacheplane_upstream_duration_seconds{policy,route,outcome}}, a histogram
 *       in seconds with the fixed buckets {@link #UPSTREAM_BUCKETS}): one upstream attempt (a retry is a further
 *       attempt), from sending the request until its answer is there (the head and the part of the body the proxy
 *       buffers; a longer body streams afterwards and is not timed) or it failed. {@code outcome} is the status class
 *       ({@code 1xx}..{@code 5xx}), {@code timeout} (the route's timeout passed) or {@code error} (connection refused,
 *       reset, TLS, DNS...);
 *   <li>{@value #CONFIG_APPLIES} / {@value #CONFIG_REJECTIONS}
 *       ({@code cacheplane_config_applies_total{kind,policy}}, {@code cacheplane_config_rejections_total{kind,policy}}):
 *       envelopes applied / rejected;
 *   <li>{@value #STATE_WRITE_FAILURES} ({@code cacheplane_state_write_failures_total{operation}}): last-known-good
 *       files that could not be written or deleted ({@code operation} = {@code write} or {@code delete}; the apply
 *       itself succeeded);
 *   <li>{@value #STATE_FILES_SKIPPED} ({@code cacheplane_state_files_skipped_total}): last-known-good files skipped
 *       at start (corrupt, truncated, wrong checksum, unknown schema version, empty, too large, unexpected name).
 * </ul>
 * Several agents sharing one registry would share these meters; give each agent its own registry (tests, local mode).
 */
public final class AgentMetrics implements AutoCloseable {

  public static final String CACHE_HITS = "cacheplane.cache.hits";
  public static final String CACHE_MISSES = "cacheplane.cache.misses";
  public static final String CACHE_STALE = "cacheplane.cache.stale";
  public static final String CACHE_EVICTIONS = "cacheplane.cache.evictions";
  public static final String CACHE_ENTRIES = "cacheplane.cache.entries";
  public static final String REQUESTS = "cacheplane.requests";
  public static final String ROUTE_CACHE_NOT_APPLIED = "cacheplane.route.cache.not.applied";
  public static final String ROUTE_RETRIES = "cacheplane.route.retries";
  public static final String ROUTE_RETRIES_REFUSED = "cacheplane.route.retries.refused";
  public static final String UPSTREAM_DURATION = "cacheplane.upstream.duration";
  public static final String CONFIG_APPLIES = "cacheplane.config.applies";
  public static final String CONFIG_REJECTIONS = "cacheplane.config.rejections";
  public static final String STATE_WRITE_FAILURES = "cacheplane.state.write.failures";
  public static final String STATE_FILES_SKIPPED = "cacheplane.state.files.skipped";
  /** {@code outcome} of an upstream attempt that ran into the route's timeout. */
  public static final String OUTCOME_TIMEOUT = "timeout";
  /** {@code outcome} of an upstream attempt that failed without an answer (refused, reset, TLS, DNS...). */
  public static final String OUTCOME_ERROR = "error";
  /**
   * Bucket bounds of {@value #UPSTREAM_DURATION}: 5 ms to 30 s, the range of HTTP upstream latencies and route
   * timeouts, 13 buckets (plus {@code +Inf}) per series — a fixed set, unlike Micrometer's percentile histogram (~70).
   */
  public static final List<Duration> UPSTREAM_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1_000, 2_500,
      5_000, 10_000, 15_000, 30_000).map(Duration::ofMillis).toList();
  /** Policy and route tag value of requests that matched no route. */
  public static final String NONE = "none";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Map<String, Timer> timers = new ConcurrentHashMap<>();
  private final Set<Meter.Id> owned = ConcurrentHashMap.newKeySet();

  public AgentMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the size gauge of a new cache; it reads whichever Caffeine instance the cache holds. */
  public void bindCache(ResponseCache cache) {
    Gauge g = Gauge.builder(CACHE_ENTRIES, cache, ResponseCache::estimatedSize)
        .description("Distinct keys held by the cache")
        .baseUnit("entries")
        .tag("cache", cache.name())
        .strongReference(true)
        .register(registry);
    owned.add(g.getId());
    counter(CACHE_HITS, "Responses served from the cache", "cache", cache.name());
    counter(CACHE_MISSES, "Cacheable requests that went upstream", "cache", cache.name());
    counter(CACHE_STALE, "Entries served past their freshness", "cache", cache.name());
  }

  /** Removes the meters of a dropped cache. */
  public void unbindCache(String name) {
    for (String meter : new String[] {CACHE_ENTRIES, CACHE_HITS, CACHE_MISSES, CACHE_STALE, CACHE_EVICTIONS}) {
      for (Meter m : registry.find(meter).tag("cache", name).meters()) {
        owned.remove(m.getId());
        registry.remove(m);
      }
    }
    counters.keySet().removeIf(k -> k.startsWith(CACHE_EVICTIONS + "\0" + name + "\0")
        || k.equals(CACHE_HITS + "\0" + name) || k.equals(CACHE_MISSES + "\0" + name)
        || k.equals(CACHE_STALE + "\0" + name));
  }

  /** A callback counting one eviction of {@code cache} by its Caffeine removal cause. */
  public Consumer<RemovalCause> evictionCounter(String cache) {
    return cause -> counter(CACHE_EVICTIONS, "Entries evicted, by Caffeine's removal cause", "cache", cache,
        "cause", cause.name()).increment();
  }

  /** Counts one entry served past its freshness ({@code X-Cache: STALE}). */
  public void stale(String cache) {
    counter(CACHE_STALE, "Entries served past their freshness", "cache", cache).increment();
  }

  public void hit(String cache) {
    counter(CACHE_HITS, "Responses served from the cache", "cache", cache).increment();
  }

  public void miss(String cache) {
    counter(CACHE_MISSES, "Cacheable requests that went upstream", "cache", cache).increment();
  }

  /** Counts a proxied request by its route and the class of its status code. */
  public void request(String policy, String route, int status) {
    counter(REQUESTS, "Proxied requests", "policy", policy, "route", route, "status", statusClass(status)).increment();
  }

  public void cacheNotApplied(String policy, String route, String cache) {
    counter(ROUTE_CACHE_NOT_APPLIED, "Requests served uncached because the route's CachePolicy is not applied here",
        "policy", policy, "route", route, "cache", cache).increment();
  }

  /** Counts one retry sent upstream for a route. */
  public void retry(String policy, String route) {
    counter(ROUTE_RETRIES, "Upstream retries sent", "policy", policy, "route", route).increment();
  }

  /** Counts one retry the route's retry budget refused. */
  public void retryRefused(String policy, String route) {
    counter(ROUTE_RETRIES_REFUSED, "Upstream retries refused by the retry budget", "policy", policy, "route", route)
        .increment();
  }

  /**
   * Records one upstream attempt of a route.
   *
   * @param outcome a status class ({@link #statusClass}), {@link #OUTCOME_TIMEOUT} or {@link #OUTCOME_ERROR}
   * @param nanos how long the attempt took, nanoseconds (negative values count as 0)
   */
  public void upstream(String policy, String route, String outcome, long nanos) {
    String key = policy + "\0" + route + "\0" + outcome;
    timers.computeIfAbsent(key, k -> {
      Timer t = Timer.builder(UPSTREAM_DURATION)
          .description("Upstream attempts, from sending the request until the answer is there or the attempt failed")
          .tags("policy", policy, "route", route, "outcome", outcome)
          .serviceLevelObjectives(UPSTREAM_BUCKETS.toArray(Duration[]::new))
          .register(registry);
      owned.add(t.getId());
      return t;
    }).record(Duration.ofNanos(Math.max(0, nanos)));
  }

  public void applied(String kind, String policy) {
    counter(CONFIG_APPLIES, "Policy envelopes applied", "kind", kind, "policy", policy).increment();
  }

  public void rejected(String kind, String policy) {
    counter(CONFIG_REJECTIONS, "Policy envelopes rejected", "kind", kind, "policy", policy).increment();
  }

  /** Counts a last-known-good file that could not be written or deleted ({@code operation}: write, delete). */
  public void stateWriteFailed(String operation) {
    counter(STATE_WRITE_FAILURES, "Last-known-good files that could not be written or deleted", "operation", operation)
        .increment();
  }

  /** Counts a last-known-good file skipped at start. */
  public void stateFileSkipped() {
    counter(STATE_FILES_SKIPPED, "Last-known-good files skipped at start").increment();
  }

  /** {@code 2xx}-style class of a status code. */
  public static String statusClass(int status) {
    return (status / 100) + "xx";
  }

  /** Removes every meter this object registered. */
  @Override
  public void close() {
    for (Meter.Id id : owned) {
      registry.remove(id);
    }
    owned.clear();
    counters.clear();
    timers.clear();
  }

  private Counter counter(String name, String description, String... tags) {
    StringBuilder k = new StringBuilder(name);
    for (int i = 1; i < tags.length; i += 2) {
      k.append('\0').append(tags[i]);
    }
    return counters.computeIfAbsent(k.toString(), x -> {
      Counter c = Counter.builder(name).description(description).tags(tags).register(registry);
      owned.add(c.getId());
      return c;
    });
  }
}

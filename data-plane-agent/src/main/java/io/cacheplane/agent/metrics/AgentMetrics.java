package io.cacheplane.agent.metrics;

import io.cacheplane.agent.cache.ResponseCache;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's Micrometer meters. Names are given in Micrometer's dotted form; the Prometheus registry exposes them as
 * written in brackets. Labels are bounded: policy, route and cache names and status classes — never keys, paths or
 * header values.
 * <ul>
 *   <li>{@value #CACHE_HITS} ({@code cacheplane_cache_hits_total{cache}}): responses served from the cache
 *       ({@code X-Cache: HIT}, coalesced waiters included);
 *   <li>{@value #CACHE_MISSES} ({@code cacheplane_cache_misses_total{cache}}): cacheable requests that went upstream
 *       ({@code X-Cache: MISS});
 *   <li>{@value #CACHE_EVICTIONS} ({@code cacheplane_cache_evictions_total{cache}}): entries Caffeine evicted (size
 *       or expiry);
 *   <li>{@value #CACHE_SIZE} ({@code cacheplane_cache_size{cache}}): entries, read from the current Caffeine instance
 *       (also after a rebuild);
 *   <li>{@value #REQUESTS} ({@code cacheplane_requests_total{policy,route,status}}): proxied requests by status class
 *       ({@code 2xx}..{@code 5xx}); requests that match no route count under policy and route {@code none};
 *   <li>{@value #ROUTE_CACHE_NOT_APPLIED} ({@code cacheplane_route_cache_not_applied_total{policy,route,cache}}):
 *       requests served uncached ({@code BYPASS}) because the route's CachePolicy is not applied on this agent;
 *   <li>{@value #ROUTE_RETRIES} / {@value #ROUTE_RETRIES_REFUSED}
 *       ({@code cacheplane_route_retries_total{policy,route}}, {@code cacheplane_route_retries_refused_total{policy,route}}):
 *       upstream retries sent / retries the route's retry budget refused;
 *   <li>{@value #CONFIG_APPLIES} / {@value #CONFIG_REJECTIONS}
 *       ({@code cacheplane_config_applies_total{kind,policy}}, {@code cacheplane_config_rejections_total{kind,policy}}):
 *       envelopes applied / rejected.
 * </ul>
 * Several agents sharing one registry would share these meters; give each agent its own registry (tests, local mode).
 */
public final class AgentMetrics implements AutoCloseable {

  public static final String CACHE_HITS = "cacheplane.cache.hits";
  public static final String CACHE_MISSES = "cacheplane.cache.misses";
  public static final String CACHE_EVICTIONS = "cacheplane.cache.evictions";
  public static final String CACHE_SIZE = "cacheplane.cache.size";
  public static final String REQUESTS = "cacheplane.requests";
  public static final String ROUTE_CACHE_NOT_APPLIED = "cacheplane.route.cache.not.applied";
  public static final String ROUTE_RETRIES = "cacheplane.route.retries";
  public static final String ROUTE_RETRIES_REFUSED = "cacheplane.route.retries.refused";
  public static final String CONFIG_APPLIES = "cacheplane.config.applies";
  public static final String CONFIG_REJECTIONS = "cacheplane.config.rejections";
  /** Policy and route tag value of requests that matched no route. */
  public static final String NONE = "none";

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Set<Meter.Id> owned = ConcurrentHashMap.newKeySet();

  public AgentMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  public MeterRegistry registry() {
    return registry;
  }

  /** Registers the size gauge of a new cache; it reads whichever Caffeine instance the cache holds. */
  public void bindCache(ResponseCache cache) {
    Gauge g = Gauge.builder(CACHE_SIZE, cache, ResponseCache::estimatedSize)
        .description("Entries in the cache")
        .tag("cache", cache.name())
        .strongReference(true)
        .register(registry);
    owned.add(g.getId());
    counter(CACHE_HITS, "Responses served from the cache", "cache", cache.name());
    counter(CACHE_MISSES, "Cacheable requests that went upstream", "cache", cache.name());
  }

  /** Removes the meters of a dropped cache. */
  public void unbindCache(String name) {
    for (String meter : new String[] {CACHE_SIZE, CACHE_HITS, CACHE_MISSES, CACHE_EVICTIONS}) {
      counters.remove(meter + "\0" + name);
      Meter m = registry.find(meter).tag("cache", name).meter();
      if (m != null) {
        owned.remove(m.getId());
        registry.remove(m);
      }
    }
  }

  /** A callback counting one eviction of {@code cache}. */
  public Runnable evictionCounter(String cache) {
    return () -> counter(CACHE_EVICTIONS, "Entries evicted by size or expiry", "cache", cache).increment();
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

  public void applied(String kind, String policy) {
    counter(CONFIG_APPLIES, "Policy envelopes applied", "kind", kind, "policy", policy).increment();
  }

  public void rejected(String kind, String policy) {
    counter(CONFIG_REJECTIONS, "Policy envelopes rejected", "kind", kind, "policy", policy).increment();
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

package io.cacheplane.agent.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.metrics.AgentMetrics;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The caches of one agent, one per applied CachePolicy, by policy name. Routes look their cache up per request, so a
 * route whose CachePolicy is not (yet) applied simply finds none.
 */
public final class CacheRegistry {

  private final Map<String, ResponseCache> caches = new ConcurrentHashMap<>();
  private final Ticker ticker;
  private final AgentMetrics metrics;

  public CacheRegistry(Ticker ticker, AgentMetrics metrics) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /** The cache of CachePolicy {@code name}, or {@code null} when that policy is not applied here. */
  public ResponseCache get(String name) {
    return caches.get(name);
  }

  /**
   * Creates the cache of {@code name}, or moves the existing one to {@code config} (see {@link Tuning}).
   *
   * @return what was done
   */
  public synchronized Tuning apply(String name, CacheConfig config) {
    ResponseCache existing = caches.get(name);
    if (existing != null) {
      return existing.apply(config);
    }
    ResponseCache created = new ResponseCache(name, config, ticker, metrics.evictionCounter(name));
    caches.put(name, created);
    metrics.bindCache(created);
    return Tuning.CREATE;
  }

  /** Drops the cache of {@code name} and its meters; no-op when absent. */
  public synchronized void remove(String name) {
    ResponseCache removed = caches.remove(name);
    if (removed != null) {
      metrics.unbindCache(name);
      removed.invalidateAll();
    }
  }
}

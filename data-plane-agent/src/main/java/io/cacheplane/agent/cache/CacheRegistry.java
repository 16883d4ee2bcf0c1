package io.cacheplane.agent.cache;

import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.metrics.AgentMetrics;
import java.nio.file.Path;
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
  private final Path encryptionKeyFile;

  /** A registry without an encryption key: sensitive CachePolicies cannot be applied. */
  public CacheRegistry(Ticker ticker, AgentMetrics metrics) {
    this(ticker, metrics, null);
  }

  /**
   * @param encryptionKeyFile the key file of sensitive caches ({@link Sealer#fromKeyFile}); {@code null}: none, so
   *     sensitive CachePolicies are refused by {@link #prepare}
   */
  public CacheRegistry(Ticker ticker, AgentMetrics metrics, Path encryptionKeyFile) {
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.encryptionKeyFile = encryptionKeyFile;
  }

  /** The cache of CachePolicy {@code name}, or {@code null} when that policy is not applied here. */
  public ResponseCache get(String name) {
    return caches.get(name);
  }

  /**
   * Everything about applying {@code config} that can fail, done before anything changes: for a sensitive cache the
   * key file is read (again, so a rotated key is picked up).
   *
   * @return the sealer of a sensitive cache, {@code null} otherwise
   * @throws IllegalArgumentException when the cache is sensitive and the key file is not configured, unreadable or
   *     not a 32-byte key (the message says which, never the key)
   */
  public Sealer prepare(CacheConfig config) {
    return config.sensitive() ? Sealer.fromKeyFile(encryptionKeyFile) : null;
  }

  /**
   * Creates the cache of {@code name}, or moves the existing one to {@code config} (see {@link Tuning} and
   * {@link ResponseCache#apply(CacheConfig, Sealer)}).
   *
   * @param sealer what {@link #prepare} returned for {@code config}
   * @return what was done
   */
  public synchronized Tuning apply(String name, CacheConfig config, Sealer sealer) {
    ResponseCache existing = caches.get(name);
    if (existing != null) {
      return existing.apply(config, sealer);
    }
    ResponseCache created = new ResponseCache(name, config, sealer, ticker, metrics.evictionCounter(name));
    caches.put(name, created);
    metrics.bindCache(created);
    return Tuning.CREATE;
  }

  /** {@link #apply(String, CacheConfig, Sealer)} of a cache that is not sensitive. */
  public Tuning apply(String name, CacheConfig config) {
    return apply(name, config, prepare(config));
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

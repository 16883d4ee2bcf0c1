package io.cacheplane.agent.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.CacheView;
import java.util.Objects;

/**
 * The cache of one CachePolicy: a Caffeine cache of {@link CachedResponse}s by {@link CacheKeys key}, plus the rules
 * it was configured with. The Caffeine instance is always built with every knob the CRD can change (a bound, a write
 * expiry and an access expiry), so that {@link #apply} can retune it in place; it is replaced only when the dimension
 * changes (see {@link Tuning}).
 *
 * <p>Thread-safe: reads and writes may come from any thread; {@link #apply} is serialised.
 */
public final class ResponseCache {

  private final String name;
  private final Ticker ticker;
  private final Runnable onEviction;
  private final Coalescer coalescer = new Coalescer();
  private volatile CacheConfig config;
  private volatile Cache<String, CachedResponse> cache;
  private volatile long incarnation;

  /**
   * @param name the CachePolicy name
   * @param config the initial configuration
   * @param ticker Caffeine's time source (nanoseconds)
   * @param onEviction called once per entry Caffeine evicts (size or expiry), e.g. to count it
   */
  public ResponseCache(String name, CacheConfig config, Ticker ticker, Runnable onEviction) {
    this.name = Objects.requireNonNull(name, "name");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.onEviction = Objects.requireNonNull(onEviction, "onEviction");
    this.config = Objects.requireNonNull(config, "config");
    this.cache = build(config);
    this.incarnation = 1;
  }

  public String name() {
    return name;
  }

  /** The rules in force (storage, key, bounds). */
  public CacheConfig config() {
    return config;
  }

  /** Concurrent misses on one key share one upstream call through this. */
  public Coalescer coalescer() {
    return coalescer;
  }

  /**
   * The stored response for {@code key}, or {@code null}. Besides Caffeine's own expiry, an entry older than the
   * current {@code expireAfterWrite} by its {@link CachedResponse#storedAtNanos()} is dropped, so a warm swap (which
   * re-inserts entries) never extends an entry's life.
   */
  public CachedResponse get(String key) {
    Cache<String, CachedResponse> c = cache;
    CachedResponse r = c.getIfPresent(key);
    if (r != null && ticker.read() - r.storedAtNanos() >= config.expireAfterWrite().toNanos()) {
      c.asMap().remove(key, r);
      return null;
    }
    return r;
  }

  /** Stores a response (the caller decided it is cacheable, see {@link Cacheability}). */
  public void put(String key, CachedResponse response) {
    cache.put(key, response);
  }

  /** The ticker's current reading, nanoseconds. */
  public long now() {
    return ticker.read();
  }

  /**
   * Moves the cache to {@code desired} as {@link Tuning#plan} says: nothing, an in-place retune, or a rebuild with a
   * warm swap (entries copied into the new instance, then the new instance takes over).
   *
   * @return what was done ({@link Tuning#CREATE} never: the cache exists)
   */
  public synchronized Tuning apply(CacheConfig desired) {
    Tuning plan = Tuning.plan(config, desired);
    switch (plan) {
      case RETUNE -> {
        Policy<String, CachedResponse> policy = cache.policy();
        policy.eviction().orElseThrow().setMaximum(desired.maximum());
        policy.expireAfterWrite().orElseThrow().setExpiresAfter(desired.expireAfterWrite());
        policy.expireAfterAccess().orElseThrow().setExpiresAfter(desired.caffeineExpireAfterAccess());
      }
      case REBUILD -> {
        Cache<String, CachedResponse> next = build(desired);
        next.putAll(cache.asMap());
        next.cleanUp();
        cache = next;
        incarnation++;
      }
      default -> { }
    }
    config = desired;
    return plan;
  }

  /** Caffeine's estimated entry count. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** Runs Caffeine's pending maintenance (evictions, expiry) now. */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Drops every entry (used when the policy is removed). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** The live settings, read from Caffeine's policy. */
  public CacheView view() {
    Cache<String, CachedResponse> c = cache;
    Policy<String, CachedResponse> policy = c.policy();
    Policy.Eviction<String, CachedResponse> eviction = policy.eviction().orElseThrow();
    return new CacheView(name, eviction.isWeighted(), eviction.getMaximum(),
        policy.expireAfterWrite().orElseThrow().getExpiresAfter(),
        policy.expireAfterAccess().orElseThrow().getExpiresAfter(),
        c.estimatedSize(), incarnation);
  }

  private Cache<String, CachedResponse> build(CacheConfig c) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .ticker(ticker)
        // maintenance on the calling thread: no hand-off per write, deterministic in tests
        .executor(Runnable::run)
        .expireAfterWrite(c.expireAfterWrite())
        .expireAfterAccess(c.caffeineExpireAfterAccess());
    Caffeine<String, CachedResponse> typed = builder.evictionListener((k, v, cause) -> onEviction.run());
    if (c.weighted()) {
      return typed.maximumWeight(c.maximum()).weigher((String k, CachedResponse v) -> v.weight() + k.length()).build();
    }
    return typed.maximumSize(c.maximum()).build();
  }
}

package io.cacheplane.agent.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.CacheView;
import java.util.Objects;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The cache of one CachePolicy: a Caffeine cache of {@link CachedResponse}s by storage key, plus the rules it was
 * configured with. The Caffeine instance is always built with every knob the CRD can change (a bound, a write
 * expiry and an access expiry), so that {@link #apply} can retune it in place; it is replaced only when the dimension
 * changes (see {@link Tuning}).
 *
 * <p>Caffeine's write expiry is {@code expireAfterWrite} plus the longer stale window
 * ({@link CacheConfig#caffeineExpireAfterWrite()}): entries are <em>retained</em> that long, while whether one may be
 * served is decided on each read by {@link Freshness} against the current configuration.
 *
 * <p>Storage keys: the normalised key ({@link CacheKeys}) itself, or for a {@code sensitive} cache its HMAC
 * ({@link #storageKey}); values of a sensitive cache are sealed with AES-GCM ({@link Sealer}). Callers pass storage
 * keys to {@link #lookup}, {@link #put} and the {@link #coalescer()}.
 *
 * <p>Thread-safe: reads and writes may come from any thread; {@link #apply} is serialised. Never logs keys or values.
 */
public final class ResponseCache {

  private static final Logger LOG = Logger.getLogger(ResponseCache.class);

  /** An entry found by {@link #lookup}, decrypted, with what it may be used for now. */
  public record Lookup(CachedResponse response, Freshness.State state) {
    /** Whether it may be served when the upstream fails. */
    public boolean usableOnError() {
      return state != Freshness.State.EXPIRED;
    }
  }

  private final String name;
  private final Ticker ticker;
  private final Consumer<RemovalCause> onEviction;
  private final Coalescer coalescer = new Coalescer();
  private volatile CacheConfig config;
  private volatile Sealer sealer;
  private volatile Cache<String, CachedResponse> cache;
  private volatile long incarnation;

  /**
   * A cache that is not sensitive.
   *
   * @throws IllegalArgumentException when {@code config} is sensitive (it needs a {@link Sealer})
   */
  public ResponseCache(String name, CacheConfig config, Ticker ticker, Consumer<RemovalCause> onEviction) {
    this(name, config, null, ticker, onEviction);
  }

  /**
   * @param name the CachePolicy name
   * @param config the initial configuration
   * @param sealer the key material of a sensitive cache; {@code null} when not sensitive
   * @param ticker Caffeine's time source (nanoseconds)
   * @param onEviction called once per entry Caffeine evicts, with the cause (size, expiry or collected), e.g. to
   *     count it
   * @throws IllegalArgumentException when {@code config.sensitive()} and {@code sealer} disagree
   */
  public ResponseCache(String name, CacheConfig config, Sealer sealer, Ticker ticker,
      Consumer<RemovalCause> onEviction) {
    this.name = Objects.requireNonNull(name, "name");
    this.ticker = Objects.requireNonNull(ticker, "ticker");
    this.onEviction = Objects.requireNonNull(onEviction, "onEviction");
    this.config = Objects.requireNonNull(config, "config");
    checkSealer(config, sealer);
    this.sealer = sealer;
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

  /** Concurrent misses (and background refreshes) on one storage key share one upstream call through this. */
  public Coalescer coalescer() {
    return coalescer;
  }

  /** The storage key of a normalised key: itself, or its HMAC-SHA256 in a sensitive cache. */
  public String storageKey(String normalizedKey) {
    Sealer s = sealer;
    return s == null ? normalizedKey : s.hashKey(normalizedKey);
  }

  /**
   * The entry stored under {@code key} and its {@link Freshness} now, or {@code null} when there is none or it is
   * {@link Freshness.State#EXPIRED} (it is then removed and counted as an expiry), so that a shortened
   * {@code expireAfterWrite} and a warm swap (which re-inserts entries) never extend an entry's life.
   *
   * @param key a storage key ({@link #storageKey})
   */
  public Lookup lookup(String key) {
    Cache<String, CachedResponse> c = cache;
    CachedResponse stored = c.getIfPresent(key);
    if (stored == null) {
      return null;
    }
    Freshness.State state = Freshness.state(config, stored, ticker.read());
    if (state == Freshness.State.EXPIRED) {
      if (c.asMap().remove(key, stored)) {
        onEviction.accept(RemovalCause.EXPIRED);
      }
      return null;
    }
    Sealer s = sealer;
    CachedResponse plain = s == null ? stored : s.open(key, stored);
    return plain == null ? null : new Lookup(plain, state);
  }

  /** The entry under {@code key} when it is fresh, else {@code null}. */
  public CachedResponse get(String key) {
    Lookup l = lookup(key);
    return l == null || l.state() != Freshness.State.FRESH ? null : l.response();
  }

  /**
   * Stores a response (the caller decided it is cacheable, see {@link Cacheability}).
   *
   * @param key a storage key ({@link #storageKey})
   */
  public void put(String key, CachedResponse response) {
    Sealer s = sealer;
    cache.put(key, s == null ? response : s.seal(key, response));
  }

  /** What Caffeine holds under a storage key (sealed in a sensitive cache), or {@code null}; for tests. */
  CachedResponse stored(String key) {
    return cache.getIfPresent(key);
  }

  /** The ticker's current reading, nanoseconds. */
  public long now() {
    return ticker.read();
  }

  /**
   * Moves the cache to {@code desired} as {@link Tuning#plan} says: nothing, an in-place retune, or a rebuild with a
   * warm swap (entries copied into the new instance, then the new instance takes over). Besides:
   * <ul>
   *   <li>a {@code purgeGeneration} different from the one in force empties the cache (a rollback, being a new
   *       envelope with the old spec, changes it back and purges again);
   *   <li>turning {@code sensitive} on or off, or a different key in the key file, empties the cache (entries
   *       cannot be re-keyed).
   * </ul>
   *
   * @param sealer the key material when {@code desired} is sensitive, else {@code null}
   * @return what was done to Caffeine ({@link Tuning#CREATE} never: the cache exists)
   * @throws IllegalArgumentException when {@code desired.sensitive()} and {@code sealer} disagree (nothing changed)
   */
  public synchronized Tuning apply(CacheConfig desired, Sealer sealer) {
    checkSealer(desired, sealer);
    CacheConfig current = config;
    Tuning plan = Tuning.plan(current, desired);
    switch (plan) {
      case RETUNE -> {
        Policy<String, CachedResponse> policy = cache.policy();
        policy.eviction().orElseThrow().setMaximum(desired.maximum());
        policy.expireAfterWrite().orElseThrow().setExpiresAfter(desired.caffeineExpireAfterWrite());
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
    boolean rekeyed = (this.sealer == null) != (sealer == null)
        || (sealer != null && !sealer.sameKey(this.sealer));
    this.sealer = sealer;
    config = desired;
    if (rekeyed) {
      cache.invalidateAll();
      LOG.infof("cache %s emptied: sensitive or its key changed", name);
    } else if (current.purgeGeneration() != desired.purgeGeneration()) {
      cache.invalidateAll();
      LOG.infof("cache %s purged: purgeGeneration %d -> %d", name, current.purgeGeneration(),
          desired.purgeGeneration());
    }
    return plan;
  }

  /** {@link #apply(CacheConfig, Sealer)} for a cache that is not sensitive. */
  public Tuning apply(CacheConfig desired) {
    return apply(desired, null);
  }

  /**
   * Removes the entry of one normalised key ({@link CacheKeys}; hashed first in a sensitive cache).
   *
   * @return 1 when an entry was removed, else 0
   */
  public long purgeKey(String normalizedKey) {
    return cache.asMap().remove(storageKey(normalizedKey)) == null ? 0 : 1;
  }

  /**
   * Removes every entry whose key path ({@link CacheKeys#pathOf}) starts with {@code prefix}, whatever the method,
   * host, query, headers or scope. The prefix is folded like key paths ({@link KeyRecipe#keyPath}).
   *
   * @param prefix a path prefix starting with {@code /}
   * @return the number of entries removed
   * @throws IllegalArgumentException when the prefix does not start with {@code /}, or the cache is sensitive (its
   *     keys are hashed, so no prefix can be matched)
   */
  public long purgePrefix(String prefix) {
    if (config.sensitive()) {
      throw new IllegalArgumentException("cache " + name + " is sensitive: its keys are hashed, so it can be purged "
          + "by exact key only");
    }
    if (prefix == null || !prefix.startsWith("/")) {
      throw new IllegalArgumentException("a path prefix must start with /");
    }
    String folded = config.key().keyPath(prefix);
    long removed = 0;
    var map = cache.asMap();
    for (String key : map.keySet()) {
      String path = CacheKeys.pathOf(key);
      if (path != null && path.startsWith(folded) && map.remove(key) != null) {
        removed++;
      }
    }
    return removed;
  }

  /** Caffeine's estimated entry count. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** Total weight of the entries, bytes, in a byte-bounded cache (body + headers + overhead + key); else empty. */
  public java.util.OptionalLong weightedSize() {
    return cache.policy().eviction().orElseThrow().weightedSize();
  }

  /** Runs Caffeine's pending maintenance (evictions, expiry) now. */
  public void cleanUp() {
    cache.cleanUp();
  }

  /** Drops every entry (the policy is removed, or a purge). */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /**
   * The live settings, read from Caffeine's policy. Its {@code expireAfterWrite} is Caffeine's, i.e. the retention
   * ({@link CacheConfig#caffeineExpireAfterWrite()}).
   */
  public CacheView view() {
    Cache<String, CachedResponse> c = cache;
    Policy<String, CachedResponse> policy = c.policy();
    Policy.Eviction<String, CachedResponse> eviction = policy.eviction().orElseThrow();
    return new CacheView(name, eviction.isWeighted(), eviction.getMaximum(),
        policy.expireAfterWrite().orElseThrow().getExpiresAfter(),
        policy.expireAfterAccess().orElseThrow().getExpiresAfter(),
        c.estimatedSize(), incarnation);
  }

  private static void checkSealer(CacheConfig config, Sealer sealer) {
    if (config.sensitive() != (sealer != null)) {
      throw new IllegalArgumentException(config.sensitive() ? "a sensitive cache needs the encryption key"
          : "only a sensitive cache takes an encryption key");
    }
  }

  private Cache<String, CachedResponse> build(CacheConfig c) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .ticker(ticker)
        // maintenance on the calling thread: no hand-off per write, deterministic in tests
        .executor(Runnable::run)
        .expireAfterWrite(c.caffeineExpireAfterWrite())
        .expireAfterAccess(c.caffeineExpireAfterAccess());
    Caffeine<String, CachedResponse> typed =
        builder.evictionListener((String k, CachedResponse v, RemovalCause cause) -> onEviction.accept(cause));
    if (c.weighted()) {
      // weight: body + headers + fixed overhead (CachedResponse.weight) + the key's characters
      return typed.maximumWeight(c.maximum()).weigher((String k, CachedResponse v) -> v.weight() + k.length())
          .build();
    }
    return typed.maximumSize(c.maximum()).build();
  }
}

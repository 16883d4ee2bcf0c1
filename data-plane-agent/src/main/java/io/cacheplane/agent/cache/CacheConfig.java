package io.cacheplane.agent.cache;

import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.CacheableSpec;
import io.cacheplane.api.v1alpha1.HttpMethod;
import io.cacheplane.api.validation.Values;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A CachePolicy spec with every default filled in: what the agent builds its Caffeine cache and its storage rules
 * from. Defaults are those stated in the CRD field descriptions:
 * <ul>
 *   <li>{@code maximumSize} {@value #DEFAULT_MAXIMUM_SIZE} entries when neither maximumSize nor maximumWeight is set;
 *   <li>{@code maxEntrySize} {@value #DEFAULT_MAX_ENTRY_SIZE} bytes (1Mi);
 *   <li>{@code expireAfterWrite} 5 minutes ({@link #DEFAULT_EXPIRE_AFTER_WRITE});
 *   <li>no access-based expiry ({@code expireAfterAccess} null; Caffeine gets {@link #NO_EXPIRY});
 *   <li>cacheable methods GET and HEAD;
 *   <li>status codes 200, 203, 204, 300, 301, 404, 405, 410, 414, 501: the codes RFC 9110 section 15.1 calls
 *       "heuristically cacheable";
 *   <li>{@code honorCacheControl} true.
 * </ul>
 *
 * @param weighted true: {@code maximum} is total bytes (maximumWeight + a weigher); false: an entry count
 * @param maximum the Caffeine bound, entries or bytes, ≥ 1
 * @param maxEntrySize largest response body stored, bytes, ≥ 1
 * @param expireAfterWrite write expiry, positive
 * @param expireAfterAccess access expiry, positive, or {@code null} for none
 * @param methods cacheable request methods, upper case
 * @param statusCodes cacheable response status codes
 * @param honorCacheControl whether {@code Cache-Control: no-store} / {@code private} responses are refused
 * @param key what goes into the cache key besides method and path
 */
public record CacheConfig(
    boolean weighted,
    long maximum,
    long maxEntrySize,
    Duration expireAfterWrite,
    Duration expireAfterAccess,
    Set<String> methods,
    Set<Integer> statusCodes,
    boolean honorCacheControl,
    KeyRecipe key) {

  public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
  public static final long DEFAULT_MAX_ENTRY_SIZE = 1024 * 1024;
  public static final Duration DEFAULT_EXPIRE_AFTER_WRITE = Duration.ofMinutes(5);
  public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD");
  /** RFC 9110, section 15.1: status codes that are heuristically cacheable. */
  public static final Set<Integer> DEFAULT_STATUS_CODES = Set.of(200, 203, 204, 300, 301, 404, 405, 410, 414, 501);
  /**
   * The expiry Caffeine gets for "never" (100 years): caches are always built with both expiries so that either can
   * later be retuned in place.
   */
  public static final Duration NO_EXPIRY = Duration.ofDays(365L * 100);

  public CacheConfig {
    Objects.requireNonNull(expireAfterWrite, "expireAfterWrite");
    methods = Set.copyOf(methods);
    statusCodes = Set.copyOf(statusCodes);
    Objects.requireNonNull(key, "key");
    if (maximum < 1 || maxEntrySize < 1) {
      throw new IllegalArgumentException("maximum and maxEntrySize must be at least 1");
    }
  }

  /** Every default: 10000 entries, 1Mi per entry, 5m write expiry, GET/HEAD, RFC 9110 codes, an empty key recipe. */
  public static CacheConfig defaults() {
    return from(new CachePolicySpec());
  }

  /**
   * @param spec a CachePolicy spec that passed {@link io.cacheplane.api.validation.PolicyValidator}
   * @throws IllegalArgumentException when a duration or quantity cannot be parsed (validation rejects those first)
   */
  public static CacheConfig from(CachePolicySpec spec) {
    CacheSettings c = spec.getCache() == null ? new CacheSettings() : spec.getCache();
    boolean weighted = c.getMaximumWeight() != null;
    long maximum = weighted ? Values.bytes(c.getMaximumWeight())
        : c.getMaximumSize() != null ? c.getMaximumSize() : DEFAULT_MAXIMUM_SIZE;
    long maxEntry = c.getMaxEntrySize() != null ? Values.bytes(c.getMaxEntrySize()) : DEFAULT_MAX_ENTRY_SIZE;
    Duration write = c.getExpireAfterWrite() != null ? Values.duration(c.getExpireAfterWrite()) : DEFAULT_EXPIRE_AFTER_WRITE;
    Duration access = c.getExpireAfterAccess() != null ? Values.duration(c.getExpireAfterAccess()) : null;

    CacheableSpec cacheable = spec.getCacheable() == null ? new CacheableSpec() : spec.getCacheable();
    Set<String> methods = cacheable.getMethods() == null || cacheable.getMethods().isEmpty() ? DEFAULT_METHODS
        : cacheable.getMethods().stream().map(HttpMethod::name).collect(Collectors.toUnmodifiableSet());
    Set<Integer> codes = cacheable.getStatusCodes() == null || cacheable.getStatusCodes().isEmpty()
        ? DEFAULT_STATUS_CODES : Set.copyOf(cacheable.getStatusCodes());
    boolean honor = cacheable.getHonorCacheControl() == null || cacheable.getHonorCacheControl();

    CacheKeySpec key = spec.getKey() == null ? new CacheKeySpec() : spec.getKey();
    KeyRecipe recipe = KeyRecipe.of(key.getQueryParameters(), key.getHeaders());
    return new CacheConfig(weighted, maximum, maxEntry, write, access, methods, codes, honor, recipe);
  }

  /** The access expiry Caffeine is configured with: {@link #expireAfterAccess} or {@link #NO_EXPIRY}. */
  public Duration caffeineExpireAfterAccess() {
    return expireAfterAccess == null ? NO_EXPIRY : expireAfterAccess;
  }

  /** Whether responses to {@code method} (any case) may be cached. */
  public boolean cacheableMethod(String method) {
    return methods.contains(method.toUpperCase(java.util.Locale.ROOT));
  }

  /** Methods in a stable order, for messages. */
  public List<String> sortedMethods() {
    return List.copyOf(new TreeSet<>(methods));
  }
}

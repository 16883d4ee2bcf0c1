package io.cacheplane.agent.cache;

import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheScope;
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
 *   <li>{@code honorCacheControl} true;
 *   <li>no {@code staleWhileRevalidate} / {@code staleIfError} window ({@link Duration#ZERO});
 *   <li>scope {@code Global}, not sensitive, {@code purgeGeneration} 0.
 * </ul>
 *
 * @param weighted true: {@code maximum} is total bytes (maximumWeight + a weigher); false: an entry count
 * @param maximum the Caffeine bound, entries or bytes, ≥ 1
 * @param maxEntrySize largest response body stored, bytes, ≥ 1
 * @param expireAfterWrite write expiry, positive
 * @param expireAfterAccess access expiry, positive, or {@code null} for none
 * @param methods cacheable request methods, upper case
 * @param statusCodes cacheable response status codes
 * @param honorCacheControl whether the upstream's {@code Cache-Control} / {@code Expires} are honoured (see
 *     {@link Cacheability} and {@link Freshness})
 * @param key what goes into the cache key besides method and path
 * @param staleWhileRevalidate how long after its freshness ends an entry is still served while one background
 *     request refreshes it; {@link Duration#ZERO} for none
 * @param staleIfError how long after its freshness ends an entry is still served when the upstream fails;
 *     {@link Duration#ZERO} for none
 * @param scope who may share an entry
 * @param scopeHeader lower-case name of the request header holding the tenant or user; {@code null} with
 *     {@link CacheScope#Global}
 * @param sensitive whether values are encrypted in memory and keys hashed ({@link Sealer})
 * @param purgeGeneration a change of this number between two applied specs purges the cache
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
    KeyRecipe key,
    Duration staleWhileRevalidate,
    Duration staleIfError,
    CacheScope scope,
    String scopeHeader,
    boolean sensitive,
    long purgeGeneration) {

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
    staleWhileRevalidate = staleWhileRevalidate == null ? Duration.ZERO : staleWhileRevalidate;
    staleIfError = staleIfError == null ? Duration.ZERO : staleIfError;
    scope = scope == null ? CacheScope.Global : scope;
    scopeHeader = scope == CacheScope.Global || scopeHeader == null ? null : scopeHeader.toLowerCase(java.util.Locale.ROOT);
    if (scope != CacheScope.Global && scopeHeader == null) {
      throw new IllegalArgumentException("scope " + scope + " needs a scopeHeader");
    }
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
    KeyRecipe recipe = KeyRecipe.of(key.getQueryParameters(), key.getHeaders(), key.getIncludeHost(),
        key.getLowercasePath(), key.getMergeSlashes());
    Duration swr = c.getStaleWhileRevalidate() != null ? Values.duration(c.getStaleWhileRevalidate()) : Duration.ZERO;
    Duration sie = c.getStaleIfError() != null ? Values.duration(c.getStaleIfError()) : Duration.ZERO;
    return new CacheConfig(weighted, maximum, maxEntry, write, access, methods, codes, honor, recipe, swr, sie,
        spec.getScope(), spec.getScopeHeader(), Boolean.TRUE.equals(spec.getSensitive()),
        spec.getPurgeGeneration() == null ? 0 : spec.getPurgeGeneration());
  }

  /** The longer of the two stale windows: how long past its freshness an entry may still be needed. */
  public Duration maxStale() {
    return staleWhileRevalidate.compareTo(staleIfError) >= 0 ? staleWhileRevalidate : staleIfError;
  }

  /**
   * The write expiry Caffeine is configured with: {@code expireAfterWrite} + {@link #maxStale()}, so that an entry
   * is retained through its stale windows. Whether it may be served is decided at read time by {@link Freshness}.
   */
  public Duration caffeineExpireAfterWrite() {
    return expireAfterWrite.plus(maxStale());
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

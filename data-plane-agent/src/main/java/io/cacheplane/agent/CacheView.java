package io.cacheplane.agent;

import java.time.Duration;

/**
 * A read-only snapshot of one live cache, read from Caffeine's own policy (not from the policy spec), for tests and
 * diagnostics.
 *
 * @param name the CachePolicy name
 * @param weighted true when bounded by total bytes ({@code maximumWeight}), false when by entry count
 * @param maximum the live bound: entries, or bytes when weighted
 * @param expireAfterWrite the live Caffeine write expiry: the retention, i.e. the policy's {@code expireAfterWrite}
 *     plus the longer of its stale windows (freshness itself is decided per read, see
 *     {@link io.cacheplane.agent.cache.Freshness})
 * @param expireAfterAccess the live access expiry; a value of
 *     {@link io.cacheplane.agent.cache.CacheConfig#NO_EXPIRY} means "no access-based expiry"
 * @param estimatedSize Caffeine's estimated entry count (may count expired entries not yet cleaned up)
 * @param incarnation 1 for the first Caffeine instance of this cache, +1 on each rebuild (a change of dimension);
 *     unchanged by in-place retuning
 */
public record CacheView(
    String name,
    boolean weighted,
    long maximum,
    Duration expireAfterWrite,
    Duration expireAfterAccess,
    long estimatedSize,
    long incarnation) {}

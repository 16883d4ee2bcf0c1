package io.cacheplane.agent.cache;

/**
 * How a live cache follows a new {@link CacheConfig}: a pure decision (DESIGN.md, "Data plane").
 * <ul>
 *   <li>{@link #CREATE}: there is no cache yet;
 *   <li>{@link #UNCHANGED}: bound and Caffeine expiries (retention: {@code expireAfterWrite} + the longer stale
 *       window; access expiry) are equal (storage rules, key or freshness may differ; they apply from the next
 *       request, no Caffeine change);
 *   <li>{@link #RETUNE}: same dimension, other bound or expiry: changed in place through {@code cache.policy()},
 *       entries kept (those beyond a lower bound are evicted on Caffeine's next maintenance, those older than a shorter
 *       expiry expire by their original write time);
 *   <li>{@link #REBUILD}: the dimension changes (entry count ↔ byte weight), which Caffeine cannot change in place:
 *       a new cache is built and the entries are copied into it (warm swap), as many as fit. Adding or removing an
 *       expiry never rebuilds: both expiries are always configured ({@link CacheConfig#NO_EXPIRY} for "none").
 * </ul>
 */
public enum Tuning {
  CREATE, UNCHANGED, RETUNE, REBUILD;

  /**
   * @param current the config the live cache was built or last tuned with; {@code null} when there is none
   * @param desired the new config
   */
  public static Tuning plan(CacheConfig current, CacheConfig desired) {
    if (current == null) {
      return CREATE;
    }
    if (current.weighted() != desired.weighted()) {
      return REBUILD;
    }
    boolean same = current.maximum() == desired.maximum()
        && current.caffeineExpireAfterWrite().equals(desired.caffeineExpireAfterWrite())
        && current.caffeineExpireAfterAccess().equals(desired.caffeineExpireAfterAccess());
    return same ? UNCHANGED : RETUNE;
  }
}

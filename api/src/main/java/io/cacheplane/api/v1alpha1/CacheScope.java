package io.cacheplane.api.v1alpha1;

/** Who may share a cached response. */
public enum CacheScope {
  /** Every client shares the cache. */
  Global,
  /** Clients with the same tenant identity (the policy's scopeHeader) share entries. */
  Tenant,
  /** Only the same user (the policy's scopeHeader) is served an entry. */
  User
}

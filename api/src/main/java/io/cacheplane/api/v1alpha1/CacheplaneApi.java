package io.cacheplane.api.v1alpha1;

/** Names of the public API: group, version, category and the {@code cacheplane.io/} label and annotation keys. */
public final class CacheplaneApi {

  public static final String GROUP = "cacheplane.io";
  public static final String VERSION = "v1alpha1";
  public static final String API_VERSION = GROUP + "/" + VERSION;
  public static final String CATEGORY = "cacheplane";

  /** Label on generated ConfigMaps: the policy kind ({@code CachePolicy} or {@code RoutePolicy}). */
  public static final String LABEL_KIND = "cacheplane.io/kind";
  /** Label on generated ConfigMaps: the policy's metadata.uid. */
  public static final String LABEL_POLICY_UID = "cacheplane.io/policy-uid";
  /** Label on generated ConfigMaps: the policy's name, or its hash when longer than 63 characters. */
  public static final String LABEL_POLICY = "cacheplane.io/policy";
  /** Standard label naming the manager of generated objects. */
  public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
  /** Value of {@link #LABEL_MANAGED_BY} on every object the operator generates. */
  public static final String MANAGED_BY = "cacheplane-operator";

  public static final String KIND_CACHE_POLICY = "CachePolicy";
  public static final String KIND_ROUTE_POLICY = "RoutePolicy";

  private CacheplaneApi() {}
}

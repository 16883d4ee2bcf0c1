package io.cacheplane.kubectl.cluster;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.client.CustomResource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The two policy kinds and the words kubectl users type for them. */
public enum PolicyKind {

  CACHE_POLICY(CacheplaneApi.KIND_CACHE_POLICY, "cachepolicies", CachePolicy.class,
      List.of("cachepolicy", "cachepolicies", "cachepol", "cp")),
  ROUTE_POLICY(CacheplaneApi.KIND_ROUTE_POLICY, "routepolicies", RoutePolicy.class,
      List.of("routepolicy", "routepolicies", "routepol", "rp"));

  private final String kind;
  private final String plural;
  private final Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> type;
  private final List<String> words;

  PolicyKind(String kind, String plural, Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> type,
      List<String> words) {
    this.kind = kind;
    this.plural = plural;
    this.type = type;
    this.words = words;
  }

  /** {@code CachePolicy} or {@code RoutePolicy}. */
  public String kind() {
    return kind;
  }

  /** The resource, e.g. {@code cachepolicies}. */
  public String plural() {
    return plural;
  }

  /** The resource with its group, e.g. {@code cachepolicies.cacheplane.io} (as RBAC and kubectl name it). */
  public String resource() {
    return plural + "." + CacheplaneApi.GROUP;
  }

  /** The lower-case singular, e.g. {@code cachepolicy} (as in {@code cachepolicy/product-pages}). */
  public String singular() {
    return words.get(0);
  }

  /** The fabric8 class of the kind. */
  public Class<? extends CustomResource<? extends PolicySpec, PolicyStatus>> type() {
    return type;
  }

  /** The accepted spellings: singular, plural, the CRD short name, the plugin's short form ({@code cp}, {@code rp}). */
  public List<String> words() {
    return words;
  }

  /**
   * The kind a user's word names, case-insensitively; also with the group ({@code cachepolicy.cacheplane.io}) or the
   * Kind itself ({@code CachePolicy}).
   */
  public static Optional<PolicyKind> fromWord(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    String suffix = "." + CacheplaneApi.GROUP;
    if (w.endsWith(suffix)) {
      w = w.substring(0, w.length() - suffix.length());
    }
    for (PolicyKind k : values()) {
      if (k.words.contains(w)) {
        return Optional.of(k);
      }
    }
    return Optional.empty();
  }
}

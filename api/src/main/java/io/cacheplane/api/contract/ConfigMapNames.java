package io.cacheplane.api.contract;

import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Names and labels of the ConfigMap the operator writes for a policy (DESIGN.md, "Envelope and ConfigMap"). */
public final class ConfigMapNames {

  /** Longest object name Kubernetes accepts (DNS-1123 subdomain). */
  public static final int MAX_NAME = 253;
  /** Longest label value Kubernetes accepts. */
  public static final int MAX_LABEL_VALUE = 63;

  private ConfigMapNames() {}

  /**
   * {@code cachepolicy-<name>} or {@code routepolicy-<name>}; when over 253 characters, truncated and suffixed
   * with {@code -} and the first 10 hex characters of SHA-256 of the policy name.
   *
   * @param kind {@code CachePolicy} or {@code RoutePolicy}
   */
  public static String configMapName(String kind, String policyName) {
    String full = kind.toLowerCase(Locale.ROOT) + "-" + policyName;
    if (full.length() <= MAX_NAME) {
      return full;
    }
    String suffix = "-" + Revisions.sha256Hex(policyName).substring(0, 10);
    return full.substring(0, MAX_NAME - suffix.length()) + suffix;
  }

  /** The value of {@code cacheplane.io/policy}: the name, or the first 63 hex characters of its SHA-256 when longer. */
  public static String policyLabelValue(String policyName) {
    return policyName.length() <= MAX_LABEL_VALUE ? policyName : Revisions.sha256Hex(policyName).substring(0, MAX_LABEL_VALUE);
  }

  /** The only labels a generated ConfigMap carries (never the policy's own labels). */
  public static Map<String, String> labels(String kind, String policyName, String policyUid) {
    Map<String, String> labels = new TreeMap<>();
    labels.put(CacheplaneApi.LABEL_KIND, kind);
    labels.put(CacheplaneApi.LABEL_POLICY_UID, policyUid);
    labels.put(CacheplaneApi.LABEL_POLICY, policyLabelValue(policyName));
    labels.put(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY);
    return labels;
  }
}

package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConfigMapNamesTest {

  @Test
  void kindsNeverCollide() {
    assertThat(ConfigMapNames.configMapName("CachePolicy", "shop")).isEqualTo("cachepolicy-shop");
    assertThat(ConfigMapNames.configMapName("RoutePolicy", "shop")).isEqualTo("routepolicy-shop");
  }

  @Test
  void longNamesAreTruncatedWithAHashAndStayDistinct() {
    String a = "a".repeat(250) + "x";
    String b = "a".repeat(250) + "y";
    String nameA = ConfigMapNames.configMapName("CachePolicy", a);
    assertThat(nameA).hasSize(ConfigMapNames.MAX_NAME).startsWith("cachepolicy-aaa").matches(".*-[0-9a-f]{10}$");
    assertThat(nameA).isNotEqualTo(ConfigMapNames.configMapName("CachePolicy", b));
  }

  @Test
  void labelsAreOnlyOursAndLongNamesAreHashed() {
    assertThat(ConfigMapNames.labels("CachePolicy", "shop", "u-1")).containsOnlyKeys(
        "cacheplane.io/kind", "cacheplane.io/policy-uid", "cacheplane.io/policy", "app.kubernetes.io/managed-by")
        .containsEntry("cacheplane.io/policy", "shop")
        .containsEntry("app.kubernetes.io/managed-by", "cacheplane-operator");
    assertThat(ConfigMapNames.policyLabelValue("p".repeat(64))).hasSize(63).matches("[0-9a-f]+");
    assertThat(ConfigMapNames.policyLabelValue("p".repeat(63))).isEqualTo("p".repeat(63));
  }
}

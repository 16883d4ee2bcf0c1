package io.cacheplane.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.operator.Fixtures;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CachePolicyReferencesTest {

  private final RoutePolicySpec spec = Fixtures.routePolicy("shop", "front", "pages", null, "api", "pages").getSpec();

  @Test
  void listsEveryDanglingReferenceWithRouteAndName() {
    assertThat(CachePolicyReferences.missing(spec, "shop", Set.of("api")::contains)).containsExactly(
        "spec.routes[0].cachePolicyRef: route \"r0\" names CachePolicy \"pages\", not found in namespace \"shop\"",
        "spec.routes[3].cachePolicyRef: route \"r3\" names CachePolicy \"pages\", not found in namespace \"shop\"");
  }

  @Test
  void nothingMissingWhenAllResolve() {
    assertThat(CachePolicyReferences.missing(spec, "shop", Set.of("api", "pages")::contains)).isEmpty();
  }

  @Test
  void referencedNamesAreDistinct() {
    assertThat(CachePolicyReferences.referenced(spec)).containsExactly("pages", "api");
    assertThat(CachePolicyReferences.referenced(null)).isEmpty();
  }
}

package io.cacheplane.operator.reconcile;

import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Which {@code routes[].cachePolicyRef} of a RoutePolicy name no existing CachePolicy (pure). */
public final class CachePolicyReferences {

  private CachePolicyReferences() {}

  /**
   * @param spec a valid RoutePolicy spec
   * @param namespace the RoutePolicy's namespace (references are namespace-local)
   * @param exists whether a CachePolicy of that name exists in {@code namespace}
   * @return one message per dangling reference, e.g.
   *     {@code spec.routes[0].cachePolicyRef: route "products" names CachePolicy "pages", not found in namespace "shop"};
   *     empty when every reference resolves
   */
  public static List<String> missing(RoutePolicySpec spec, String namespace, Predicate<String> exists) {
    List<String> out = new ArrayList<>();
    if (spec == null || spec.getRoutes() == null) {
      return out;
    }
    List<Route> routes = spec.getRoutes();
    for (int i = 0; i < routes.size(); i++) {
      Route r = routes.get(i);
      if (r != null && r.getCachePolicyRef() != null && !exists.test(r.getCachePolicyRef())) {
        out.add("spec.routes[" + i + "].cachePolicyRef: route \"" + r.getName() + "\" names CachePolicy \""
            + r.getCachePolicyRef() + "\", not found in namespace \"" + namespace + "\"");
      }
    }
    return out;
  }

  /** The CachePolicy names a spec references (for the index that maps a CachePolicy event to RoutePolicies). */
  public static List<String> referenced(RoutePolicySpec spec) {
    if (spec == null || spec.getRoutes() == null) {
      return List.of();
    }
    return spec.getRoutes().stream()
        .filter(r -> r != null && r.getCachePolicyRef() != null)
        .map(Route::getCachePolicyRef)
        .distinct()
        .toList();
  }
}

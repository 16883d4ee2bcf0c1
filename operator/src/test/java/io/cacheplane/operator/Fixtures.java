package io.cacheplane.operator;

import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RouteMatch;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;

/** Small valid policies for tests; each test mutates its own copy. */
public final class Fixtures {

  private Fixtures() {}

  /** A valid CachePolicy: {@code maximumSize} entries, 5 minutes after write, agents labelled app=agent. */
  public static CachePolicy cachePolicy(String namespace, String name, long maximumSize) {
    CachePolicy p = new CachePolicy();
    p.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    p.setSpec(cacheSpec(maximumSize));
    return p;
  }

  public static CachePolicySpec cacheSpec(long maximumSize) {
    CachePolicySpec spec = new CachePolicySpec();
    spec.setAgentSelector(new LabelSelectorBuilder().addToMatchLabels("app", "agent").build());
    CacheSettings cache = new CacheSettings();
    cache.setMaximumSize(maximumSize);
    cache.setExpireAfterWrite("5m");
    spec.setCache(cache);
    return spec;
  }

  /** A valid RoutePolicy with one route per entry of {@code cachePolicyRefs} ({@code null} = uncached route). */
  public static RoutePolicy routePolicy(String namespace, String name, String... cachePolicyRefs) {
    RoutePolicy p = new RoutePolicy();
    p.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    RoutePolicySpec spec = new RoutePolicySpec();
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < cachePolicyRefs.length; i++) {
      routes.add(route("r" + i, "/api/" + i, cachePolicyRefs[i]));
    }
    spec.setRoutes(routes);
    p.setSpec(spec);
    return p;
  }

  /** A route with a single backend service {@code svc:8080}. */
  public static Route route(String name, String pathPrefix, String cachePolicyRef) {
    Route r = new Route();
    r.setName(name);
    RouteMatch m = new RouteMatch();
    m.setPathPrefix(pathPrefix);
    r.setMatch(m);
    r.setBackends(new ArrayList<>(List.of(backend("svc", null))));
    r.setTimeout("2s");
    r.setCachePolicyRef(cachePolicyRef);
    return r;
  }

  public static Backend backend(String service, Integer weight) {
    Backend b = new Backend();
    b.setService(service);
    b.setPort(8080);
    b.setWeight(weight);
    return b;
  }
}

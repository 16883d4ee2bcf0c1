package io.cacheplane.agent.testing;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.Backend;
import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RouteMatch;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builds specs, envelopes and ConfigMaps the way the operator writes them. */
public final class Policies {

  private Policies() {}

  /** A CachePolicy spec with the given cache settings (null fields are defaults). */
  public static CachePolicySpec cachePolicy(Long maximumSize, String expireAfterWrite, String expireAfterAccess,
      List<String> keyParams) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings cache = new CacheSettings();
    cache.setMaximumSize(maximumSize);
    cache.setExpireAfterWrite(expireAfterWrite);
    cache.setExpireAfterAccess(expireAfterAccess);
    spec.setCache(cache);
    if (keyParams != null) {
      CacheKeySpec key = new CacheKeySpec();
      key.setQueryParameters(keyParams);
      spec.setKey(key);
    }
    return spec;
  }

  /** A route with a path prefix (or exact path when {@code exact}), one URL backend and an optional cache. */
  public static Route route(String name, String prefix, boolean exact, String url, String cachePolicyRef, String timeout) {
    Route r = new Route();
    r.setName(name);
    RouteMatch m = new RouteMatch();
    if (exact) {
      m.setPath(prefix);
    } else {
      m.setPathPrefix(prefix);
    }
    r.setMatch(m);
    Backend b = new Backend();
    b.setUrl(url);
    r.setBackends(List.of(b));
    r.setCachePolicyRef(cachePolicyRef);
    r.setTimeout(timeout);
    return r;
  }

  public static RoutePolicySpec routePolicy(Route... routes) {
    RoutePolicySpec spec = new RoutePolicySpec();
    spec.setRoutes(new ArrayList<>(List.of(routes)));
    return spec;
  }

  /** A stable-only envelope. */
  public static Envelope stable(String kind, String name, String uid, long sequence, PolicySpec spec) {
    return new Envelope(Envelope.SCHEMA_VERSION, kind, name, uid, sequence, spec.getAgentSelector(),
        EnvelopeCodec.publish(spec, sequence, null), null);
  }

  /** An envelope with a stable (may be null) and a canary revision. */
  public static Envelope withCanary(String kind, String name, String uid, long sequence, PolicySpec stable,
      PolicySpec canary, long threshold, LabelSelector selector) {
    PublishedRevision s = stable == null ? null : EnvelopeCodec.publish(stable, 1, null);
    return new Envelope(Envelope.SCHEMA_VERSION, kind, name, uid, sequence, selector, s,
        EnvelopeCodec.publish(canary, 2, threshold));
  }

  public static String kindOf(PolicySpec spec) {
    return spec instanceof CachePolicySpec ? CacheplaneApi.KIND_CACHE_POLICY : CacheplaneApi.KIND_ROUTE_POLICY;
  }

  /** The ConfigMap the operator writes for an envelope. */
  public static ConfigMap configMap(String namespace, Envelope env) {
    return configMap(namespace, env.kind(), env.name(), env.uid(), EnvelopeCodec.encode(env));
  }

  /** A policy ConfigMap with arbitrary envelope text. */
  public static ConfigMap configMap(String namespace, String kind, String name, String uid, String envelopeYaml) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(ConfigMapNames.configMapName(kind, name))
        .withNamespace(namespace)
        .withLabels(ConfigMapNames.labels(kind, name, uid))
        .endMetadata()
        .withData(Map.of(Envelope.DATA_KEY, envelopeYaml))
        .build();
  }
}

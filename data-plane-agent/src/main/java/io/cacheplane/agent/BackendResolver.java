package io.cacheplane.agent;

import java.util.Map;
import java.util.Objects;

/**
 * The seam that turns a RoutePolicy backend {@code {service, port}} into an {@link Endpoint}. It is called when a
 * RoutePolicy is applied (not per request). Backends given as {@code url} do not go through it.
 *
 * <p>In a cluster, {@link #clusterDns(String)} resolves {@code <service>.<namespace>.svc:<port>} over plain HTTP.
 * Tests and local mode use {@link #mapped(Map, BackendResolver)} to point services at local ports.
 */
@FunctionalInterface
public interface BackendResolver {

  /**
   * @param service the Service name (a DNS-1123 label)
   * @param port the Service port, 1..65535
   * @return where to connect
   * @throws IllegalArgumentException when the service cannot be resolved; the RoutePolicy is then rejected on this
   *     agent with reason {@code ApplyFailed}
   */
  Endpoint resolve(String service, int port);

  /** Cluster DNS: {@code http://<service>.<namespace>.svc:<port>}. */
  static BackendResolver clusterDns(String namespace) {
    Objects.requireNonNull(namespace, "namespace");
    return (service, port) -> Endpoint.http(service + "." + namespace + ".svc", port);
  }

  /**
   * A fixed table, for tests and local mode. Keys are {@code "<service>:<port>"} (checked first) or
   * {@code "<service>"}; unknown services go to {@code fallback}.
   */
  static BackendResolver mapped(Map<String, Endpoint> services, BackendResolver fallback) {
    Map<String, Endpoint> table = Map.copyOf(services);
    Objects.requireNonNull(fallback, "fallback");
    return (service, port) -> {
      Endpoint e = table.get(service + ":" + port);
      if (e == null) {
        e = table.get(service);
      }
      return e != null ? e : fallback.resolve(service, port);
    };
  }
}

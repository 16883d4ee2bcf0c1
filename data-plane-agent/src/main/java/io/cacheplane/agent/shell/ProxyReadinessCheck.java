package io.cacheplane.agent.shell;

import io.cacheplane.agent.Agent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready once the proxy listens on the traffic port. Deliberately not tied to the API server: an agent serving its
 * last-known configuration must stay in the Service while the API is away. {@code synced} is reported as data.
 */
@Readiness
@ApplicationScoped
public class ProxyReadinessCheck implements HealthCheck {

  @Inject
  AgentLifecycle lifecycle;

  @Override
  public HealthCheckResponse call() {
    Agent agent = lifecycle.agent();
    boolean up = agent != null && agent.ready();
    var builder = HealthCheckResponse.named("cacheplane-proxy").status(up);
    if (agent != null) {
      builder.withData("trafficPort", agent.trafficPort()).withData("synced", agent.synced())
          .withData("policies", agent.policies().size());
    }
    return builder.build();
  }
}

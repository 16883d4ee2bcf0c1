package io.cacheplane.agent.shell;

import io.cacheplane.agent.Agent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when {@link Agent#ready()}: the proxy listens on the traffic port and every policy the agent knows (from its
 * last-known-good state or from the API server) has been processed — applied, or rejected, or not for this agent.
 * Deliberately not tied to the API server: an agent serving its last-known-good configuration must stay in the
 * Service while the API is away. {@code synced} (the informer has listed from the API at least once), the number of
 * policies and the names of pending ones are reported as data.
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
      List<String> pending = agent.pendingPolicies();
      if (!pending.isEmpty()) {
        builder.withData("pending", String.join(",", pending.subList(0, Math.min(pending.size(), 20))));
      }
    }
    return builder.build();
  }
}

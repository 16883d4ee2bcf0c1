package io.cacheplane.operator.shell;

import io.cacheplane.operator.CacheplaneOperator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * {@code /q/health/ready}: up once the operator has started and while its informers are healthy, leader or warm
 * standby alike (data {@code leader} tells which).
 */
@Readiness
@ApplicationScoped
public class OperatorReadinessCheck implements HealthCheck {

  @Inject
  OperatorLifecycle lifecycle;

  @Override
  public HealthCheckResponse call() {
    CacheplaneOperator operator = lifecycle.operator();
    boolean started = operator != null && operator.isRunning();
    boolean healthy = started && operator.isHealthy();
    return HealthCheckResponse.named("cacheplane-operator")
        .status(healthy)
        .withData("started", started)
        .withData("leader", started && operator.isLeader())
        .build();
  }
}

package io.cacheplane.operator.shell;

import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Quarkus shell: starts {@link CacheplaneOperator} on {@link StartupEvent} with the CDI {@link KubernetesClient}
 * and Quarkus' {@link MeterRegistry}, and stops it on {@link ShutdownEvent} before Quarkus closes the client.
 * Configuration: {@value #NAMESPACES_KEY} (comma-separated; empty or absent = all namespaces).
 * A failure to start (API unreachable, CRDs missing) fails the application start, so the pod restarts.
 */
@ApplicationScoped
public class OperatorLifecycle {

  /** Configuration key of the watched namespaces. */
  public static final String NAMESPACES_KEY = "cacheplane.operator.namespaces";

  @Inject
  KubernetesClient client;

  @Inject
  MeterRegistry meterRegistry;

  @ConfigProperty(name = NAMESPACES_KEY)
  Optional<String> namespaces;

  private volatile CacheplaneOperator operator;

  void onStart(@Observes StartupEvent event) {
    operator = CacheplaneOperator.start(client,
        new OperatorSettings(parseNamespaces(namespaces.orElse("")), Clock.systemUTC(), meterRegistry));
  }

  void onStop(@Observes ShutdownEvent event) {
    CacheplaneOperator running = operator;
    if (running != null) {
      running.close();
    }
  }

  /** The running operator, or {@code null} before start and after a failed start. */
  public CacheplaneOperator operator() {
    return operator;
  }

  /** {@code "a, b,,c"} → {@code {a, b, c}}; blank → empty (all namespaces). */
  static Set<String> parseNamespaces(String commaList) {
    return Arrays.stream(commaList.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}

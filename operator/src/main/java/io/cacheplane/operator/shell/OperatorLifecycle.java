package io.cacheplane.operator.shell;

import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.rollout.DefaultRollout;
import io.cacheplane.operator.rollout.Strategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The Quarkus shell: starts {@link CacheplaneOperator} on {@link StartupEvent} with the CDI {@link KubernetesClient}
 * and Quarkus' {@link MeterRegistry}, and stops it on {@link ShutdownEvent} before Quarkus closes the client.
 * Configuration: {@value #NAMESPACES_KEY} (comma-separated; empty or absent = all namespaces);
 * {@value #DEFAULT_ROLLOUT_KEY} (the default rollout strategy as YAML or JSON text in the shape of
 * {@code spec.rollout}, see {@link DefaultRollout}; absent = {@link OperatorSettings#DEFAULT_STRATEGY});
 * {@value #MAX_TIMER_DELAY_KEY} (a duration such as {@code 15s}; absent = 15 s, see
 * {@link OperatorSettings#maxTimerDelay()}).
 * A failure to start (API unreachable, CRDs missing) fails the application start, so the pod restarts.
 */
@ApplicationScoped
public class OperatorLifecycle {

  /** Configuration key of the watched namespaces. */
  public static final String NAMESPACES_KEY = "cacheplane.operator.namespaces";
  /** Configuration key of the default rollout strategy (YAML or JSON text). */
  public static final String DEFAULT_ROLLOUT_KEY = "cacheplane.operator.default-rollout";
  /** Configuration key of the longest timer reschedule while a rollout runs. */
  public static final String MAX_TIMER_DELAY_KEY = "cacheplane.operator.max-timer-delay";

  @Inject
  KubernetesClient client;

  @Inject
  MeterRegistry meterRegistry;

  @ConfigProperty(name = NAMESPACES_KEY)
  Optional<String> namespaces;

  @ConfigProperty(name = DEFAULT_ROLLOUT_KEY)
  Optional<String> defaultRollout;

  @ConfigProperty(name = MAX_TIMER_DELAY_KEY)
  Optional<String> maxTimerDelay;

  private volatile CacheplaneOperator operator;

  void onStart(@Observes StartupEvent event) {
    operator = CacheplaneOperator.start(client, settings(parseNamespaces(namespaces.orElse("")),
        defaultRollout.orElse(""), maxTimerDelay.orElse(""), meterRegistry));
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

  /** The settings from configuration values (blank = the default); fails start on an invalid value. */
  static OperatorSettings settings(Set<String> namespaces, String defaultRollout, String maxTimerDelay,
      MeterRegistry registry) {
    RolloutStrategy strategy = defaultRollout.isBlank() ? OperatorSettings.DEFAULT_STRATEGY
        : DefaultRollout.parse(defaultRollout, OperatorSettings.DEFAULT_STRATEGY);
    Duration delay = maxTimerDelay.isBlank() ? OperatorSettings.DEFAULT_MAX_TIMER_DELAY
        : Strategy.parse(maxTimerDelay.trim());
    return new OperatorSettings(namespaces, Clock.systemUTC(), registry, strategy, delay);
  }

  /** {@code "a, b,,c"} → {@code {a, b, c}}; blank → empty (all namespaces). */
  static Set<String> parseNamespaces(String commaList) {
    return Arrays.stream(commaList.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}

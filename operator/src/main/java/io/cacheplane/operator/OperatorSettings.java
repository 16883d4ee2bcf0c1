package io.cacheplane.operator;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.Objects;
import java.util.Set;

/**
 * How a {@link CacheplaneOperator} runs.
 *
 * @param namespaces namespaces to watch (policies, their ConfigMaps); empty watches all namespaces. Fixed for the
 *     operator's lifetime (changing informer scope at run time triggers JOSDK#3416)
 * @param clock source of {@code lastTransitionTime} in conditions (inject a fixed clock in tests)
 * @param meterRegistry where the {@code cacheplane_operator_*} meters are registered
 */
public record OperatorSettings(Set<String> namespaces, Clock clock, MeterRegistry meterRegistry) {

  /**
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when a namespace is blank
   */
  public OperatorSettings {
    namespaces = Set.copyOf(Objects.requireNonNull(namespaces, "namespaces"));
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(meterRegistry, "meterRegistry");
    if (namespaces.stream().anyMatch(String::isBlank)) {
      throw new IllegalArgumentException("namespaces must not contain a blank name: " + namespaces);
    }
  }

  /** All namespaces, the system UTC clock, a fresh {@link SimpleMeterRegistry}. */
  public static OperatorSettings defaults() {
    return new OperatorSettings(Set.of(), Clock.systemUTC(), new SimpleMeterRegistry());
  }

  /** A copy watching only {@code namespaces} (empty = all). */
  public OperatorSettings withNamespaces(Set<String> namespaces) {
    return new OperatorSettings(namespaces, clock, meterRegistry);
  }

  /** A copy with another clock. */
  public OperatorSettings withClock(Clock clock) {
    return new OperatorSettings(namespaces, clock, meterRegistry);
  }

  /** A copy with another meter registry. */
  public OperatorSettings withMeterRegistry(MeterRegistry meterRegistry) {
    return new OperatorSettings(namespaces, clock, meterRegistry);
  }
}

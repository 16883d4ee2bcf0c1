package io.cacheplane.operator.shell;

import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.LeaderElection;
import io.cacheplane.operator.OperatorSettings;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.rollout.DefaultRollout;
import io.cacheplane.operator.rollout.Strategy;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
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
 * Leader election ({@link LeaderElection}): {@value #LEADER_ELECTION_PREFIX}{@code enabled} ({@code false} by default;
 * the chart turns it on), {@code lease-name} ({@value LeaderElection#DEFAULT_LEASE_NAME}), {@code namespace} (the
 * Lease's namespace; {@code POD_NAMESPACE} from the Downward API by default), {@code identity} ({@code POD_NAME}, else
 * {@code HOSTNAME}), {@code lease-duration} / {@code renew-deadline} / {@code retry-period} (durations such as
 * {@code 15s}; client-go's 15 s / 10 s / 2 s by default).
 * A failure to start (API unreachable, CRDs missing, no RBAC for the Lease) fails the application start, so the pod
 * restarts. A replica that loses the Lease stops reconciling at once and exits with status 1: Kubernetes restarts the
 * container, which stands for election again with fresh caches (JOSDK's own default, {@code System.exit(1)} in a
 * callback, would skip Quarkus' shutdown).
 */
@ApplicationScoped
public class OperatorLifecycle {

  /** Configuration key of the watched namespaces. */
  public static final String NAMESPACES_KEY = "cacheplane.operator.namespaces";
  /** Configuration key of the default rollout strategy (YAML or JSON text). */
  public static final String DEFAULT_ROLLOUT_KEY = "cacheplane.operator.default-rollout";
  /** Configuration key of the longest timer reschedule while a rollout runs. */
  public static final String MAX_TIMER_DELAY_KEY = "cacheplane.operator.max-timer-delay";

  /** Prefix of the leader election keys. */
  public static final String LEADER_ELECTION_PREFIX = "cacheplane.operator.leader-election.";

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

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "enabled", defaultValue = "false")
  boolean leaderElectionEnabled;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "lease-name", defaultValue = LeaderElection.DEFAULT_LEASE_NAME)
  String leaseName;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "namespace")
  Optional<String> leaseNamespace;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "identity")
  Optional<String> identity;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "lease-duration")
  Optional<String> leaseDuration;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "renew-deadline")
  Optional<String> renewDeadline;

  @ConfigProperty(name = LEADER_ELECTION_PREFIX + "retry-period")
  Optional<String> retryPeriod;

  private volatile CacheplaneOperator operator;

  void onStart(@Observes StartupEvent event) {
    LeaderElection election = leaderElectionEnabled ? leaderElection(leaseName, leaseNamespace.orElse(""),
        identity.orElse(""), leaseDuration.orElse(""), renewDeadline.orElse(""), retryPeriod.orElse("")) : null;
    operator = CacheplaneOperator.start(client, settings(parseNamespaces(namespaces.orElse("")),
        defaultRollout.orElse(""), maxTimerDelay.orElse(""), meterRegistry).withLeaderElection(election));
    operator.leadershipLost().thenRun(() -> Quarkus.asyncExit(1));
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

  /**
   * Leader election from configuration values (blank = the default; see the class comment).
   *
   * @throws IllegalArgumentException when the namespace or identity is missing, a duration does not parse, or the
   *     durations break {@link LeaderElection}'s rules
   */
  static LeaderElection leaderElection(String leaseName, String namespace, String identity, String leaseDuration,
      String renewDeadline, String retryPeriod) {
    return new LeaderElection(leaseName.isBlank() ? LeaderElection.DEFAULT_LEASE_NAME : leaseName.trim(),
        namespace.trim(), identity.trim(),
        duration(leaseDuration, LeaderElection.DEFAULT_LEASE_DURATION),
        duration(renewDeadline, LeaderElection.DEFAULT_RENEW_DEADLINE),
        duration(retryPeriod, LeaderElection.DEFAULT_RETRY_PERIOD));
  }

  private static Duration duration(String text, Duration fallback) {
    return text.isBlank() ? fallback : Strategy.parse(text.trim());
  }

  /** {@code "a, b,,c"} → {@code {a, b, c}}; blank → empty (all namespaces). */
  static Set<String> parseNamespaces(String commaList) {
    return Arrays.stream(commaList.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toUnmodifiableSet());
  }
}

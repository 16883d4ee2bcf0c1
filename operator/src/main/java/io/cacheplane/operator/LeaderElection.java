package io.cacheplane.operator;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Leader election of the operator's replicas with a {@code coordination.k8s.io/v1} Lease (JOSDK's leader election,
 * which runs fabric8's {@code LeaderElector}). Every replica starts its informers (a warm standby); only the holder of
 * the Lease reconciles and collects orphans.
 * <p>Timing follows client-go's leader election (kube-controller-manager's {@code --leader-elect-*} flags and their
 * defaults): the leader renews every {@link #retryPeriod}; it gives up leadership when it could not renew within
 * {@link #renewDeadline}; a standby takes the Lease once it has seen no renewal for {@link #leaseDuration}. The gap
 * {@code leaseDuration - renewDeadline} (5 s by default) is the margin in which an old leader that lost the API
 * stops before a new one starts.
 *
 * @param leaseName the Lease's name (a DNS subdomain, at most 253 characters); {@value #DEFAULT_LEASE_NAME} by default
 * @param leaseNamespace the namespace of the Lease: the operator's own namespace (the Downward API's
 *     {@code metadata.namespace}), never the agents'
 * @param identity this replica's holder identity, unique among the replicas: the pod name
 * @param leaseDuration how long a standby waits after the last renewal it saw before it takes over; 15 s by default
 * @param renewDeadline how long the leader keeps trying to renew before it stops leading; 10 s by default
 * @param retryPeriod how often the leader renews and a standby tries to acquire; 2 s by default
 */
public record LeaderElection(String leaseName, String leaseNamespace, String identity, Duration leaseDuration,
    Duration renewDeadline, Duration retryPeriod) {

  /** {@link #leaseName} by default. */
  public static final String DEFAULT_LEASE_NAME = "cacheplane-operator";
  /** {@link #leaseDuration} by default: client-go's {@code LeaseDuration} default (15 s). */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);
  /** {@link #renewDeadline} by default: client-go's {@code RenewDeadline} default (10 s). */
  public static final Duration DEFAULT_RENEW_DEADLINE = Duration.ofSeconds(10);
  /** {@link #retryPeriod} by default: client-go's {@code RetryPeriod} default (2 s). */
  public static final Duration DEFAULT_RETRY_PERIOD = Duration.ofSeconds(2);
  /** client-go's {@code JitterFactor} (1.2): {@code renewDeadline} must exceed {@code retryPeriod} times this. */
  static final double JITTER_FACTOR = 1.2;

  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*"
      + "[a-z0-9])?)*");

  /**
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when the lease name is not a DNS subdomain, the namespace or identity is blank,
   *     a duration is not positive, or the durations break client-go's rules
   *     ({@code leaseDuration > renewDeadline > 1.2 × retryPeriod})
   */
  public LeaderElection {
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(leaseNamespace, "leaseNamespace");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    Objects.requireNonNull(renewDeadline, "renewDeadline");
    Objects.requireNonNull(retryPeriod, "retryPeriod");
    if (leaseName.length() > 253 || !DNS_SUBDOMAIN.matcher(leaseName).matches()) {
      throw new IllegalArgumentException("leader election lease name must be a DNS subdomain (lower-case letters, "
          + "digits, '-' and '.', at most 253 characters), got '" + leaseName + "'");
    }
    if (leaseNamespace.isBlank()) {
      throw new IllegalArgumentException("leader election needs the operator's namespace (POD_NAMESPACE), got none");
    }
    if (identity.isBlank()) {
      throw new IllegalArgumentException("leader election needs this replica's identity (POD_NAME), got none");
    }
    for (Duration d : new Duration[] {leaseDuration, renewDeadline, retryPeriod}) {
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("leader election durations must be positive, got " + d);
      }
    }
    if (leaseDuration.compareTo(renewDeadline) <= 0) {
      throw new IllegalArgumentException("leader election leaseDuration (" + leaseDuration
          + ") must be longer than renewDeadline (" + renewDeadline + ")");
    }
    if (renewDeadline.toMillis() <= JITTER_FACTOR * retryPeriod.toMillis()) {
      throw new IllegalArgumentException("leader election renewDeadline (" + renewDeadline
          + ") must be longer than 1.2 × retryPeriod (" + retryPeriod + ")");
    }
  }

  /** The default lease name and client-go's default timing (15 s / 10 s / 2 s). */
  public static LeaderElection of(String leaseNamespace, String identity) {
    return new LeaderElection(DEFAULT_LEASE_NAME, leaseNamespace, identity, DEFAULT_LEASE_DURATION,
        DEFAULT_RENEW_DEADLINE, DEFAULT_RETRY_PERIOD);
  }

  /** A copy with other timing (tests use sub-second periods). */
  public LeaderElection withTiming(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
    return new LeaderElection(leaseName, leaseNamespace, identity, leaseDuration, renewDeadline, retryPeriod);
  }

  /** A copy with another identity (a second replica in the same JVM). */
  public LeaderElection withIdentity(String identity) {
    return new LeaderElection(leaseName, leaseNamespace, identity, leaseDuration, renewDeadline, retryPeriod);
  }
}

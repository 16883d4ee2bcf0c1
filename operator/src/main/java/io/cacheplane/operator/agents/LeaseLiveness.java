package io.cacheplane.operator.agents;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Judges agent liveness by the operator's own clock (DESIGN.md, "Agent identity and reports"): it remembers when it
 * last saw each Lease change (a new {@code resourceVersion}: a renew or a report), never comparing the agent's
 * {@code renewTime} with its own clock. A Lease unchanged for longer than its {@code leaseDurationSeconds} is stale.
 * A Lease first seen (e.g. at operator start) counts as seen now, so a restarted operator gives every agent a full
 * lease duration.
 */
public final class LeaseLiveness {

  /** Lease duration assumed when a Lease has none: 30 s (twice the 15 s of Kubernetes' own node leases' renew). */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(30);

  private final Clock clock;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  private record Seen(String resourceVersion, Instant at, Lease lease) {}

  /** @param clock the operator's clock */
  public LeaseLiveness(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Records that {@code lease} was seen now (informer add/update); the time moves only when it changed. */
  public void observe(Lease lease) {
    if (lease == null || lease.getMetadata() == null) {
      return;
    }
    String rv = lease.getMetadata().getResourceVersion();
    seen.compute(key(lease), (k, old) -> old != null && Objects.equals(old.resourceVersion(), rv) ? old
        : new Seen(rv, clock.instant(), lease));
  }

  /** The Leases seen and not forgotten, each as last seen (for {@link AgentCensus}). */
  public List<Lease> known() {
    return seen.values().stream().map(Seen::lease).toList();
  }

  /** Forgets a deleted Lease. */
  public void forget(Lease lease) {
    if (lease != null && lease.getMetadata() != null) {
      seen.remove(key(lease));
    }
  }

  /** Whether {@code lease} changed within its lease duration before {@code now} (unknown Leases count as seen now). */
  public boolean isLive(Lease lease, Instant now) {
    return !now.isAfter(expiry(lease));
  }

  /** When {@code lease} expires unless it changes again: last seen change + its lease duration (operator's clock). */
  public Instant expiry(Lease lease) {
    observe(lease);
    Seen s = seen.get(key(lease));
    Integer seconds = lease.getSpec() == null ? null : lease.getSpec().getLeaseDurationSeconds();
    Duration duration = seconds == null || seconds <= 0 ? DEFAULT_LEASE_DURATION : Duration.ofSeconds(seconds);
    return (s == null ? clock.instant() : s.at()).plus(duration);
  }

  private static String key(Lease lease) {
    return lease.getMetadata().getNamespace() + "/" + lease.getMetadata().getName();
  }
}

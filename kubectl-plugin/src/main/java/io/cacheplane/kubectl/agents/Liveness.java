package io.cacheplane.kubectl.agents;

import java.time.Duration;
import java.time.Instant;

/**
 * Whether an agent's Lease is still renewed, judged by this machine's clock: live while
 * {@code now <= spec.renewTime + spec.leaseDurationSeconds}. (The operator judges by when it last saw the Lease
 * change, on its own clock; a CLI that runs once can only compare with its clock, so a skewed clock here can flag a
 * live agent or miss a dead one; the column header says "by local clock" in the docs.)
 */
public enum Liveness {
  /** Renewed within its lease duration. */
  LIVE,
  /** Not renewed within its lease duration: the agent is gone, hung, or cut off from the API server. */
  STALE,
  /** The Lease has no renewTime or no leaseDurationSeconds (not written by a Cacheplane agent, or broken). */
  UNKNOWN;

  /**
   * @param renewTime {@code spec.renewTime}, or {@code null}
   * @param leaseDurationSeconds {@code spec.leaseDurationSeconds}, or {@code null}; below 1 counts as unknown
   * @param now this machine's time
   */
  public static Liveness of(Instant renewTime, Integer leaseDurationSeconds, Instant now) {
    if (renewTime == null || leaseDurationSeconds == null || leaseDurationSeconds < 1) {
      return UNKNOWN;
    }
    return now.isAfter(renewTime.plus(Duration.ofSeconds(leaseDurationSeconds))) ? STALE : LIVE;
  }
}

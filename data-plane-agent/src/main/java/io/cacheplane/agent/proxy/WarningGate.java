package io.cacheplane.agent.proxy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Lets a warning about one subject (e.g. a route's TLS failure) through at most once per period, so a broken
 * configuration is reported clearly without logging every request. Thread-safe; subjects are bounded by the caller
 * (route names, not request data).
 */
final class WarningGate {

  private static final int MAX_SUBJECTS = 10_000;

  private final long periodNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Long> last = new ConcurrentHashMap<>();

  /**
   * @param periodNanos least time between two warnings about one subject, nanoseconds
   * @param nanoTime the clock ({@code System::nanoTime})
   */
  WarningGate(long periodNanos, LongSupplier nanoTime) {
    this.periodNanos = periodNanos;
    this.nanoTime = nanoTime;
  }

  /** Whether a warning about {@code subject} may be logged now (and records that it was). */
  boolean open(String subject) {
    long now = nanoTime.getAsLong();
    if (last.size() > MAX_SUBJECTS) {
      last.clear(); // routes come and go; never grow without bound
    }
    boolean[] opened = {false};
    last.compute(subject, (k, previous) -> {
      if (previous == null || now - previous >= periodNanos) {
        opened[0] = true;
        return now;
      }
      return previous;
    });
    return opened[0];
  }
}

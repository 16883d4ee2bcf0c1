package io.cacheplane.bench;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Small helpers shared by the benchmark mains. */
final class BenchSupport {

  private BenchSupport() {}

  /** Only warnings and errors on stderr (Quarkus' log configuration does not apply outside Quarkus). */
  static void quietLogs() {
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(java.util.logging.Level.WARNING);
    for (java.util.logging.Handler h : root.getHandlers()) {
      h.setLevel(java.util.logging.Level.WARNING);
    }
  }

  /**
   * Reads CachePolicies and RoutePolicies from a multi-document YAML file.
   *
   * @throws IllegalArgumentException for a document of another kind
   */
  static List<HasMetadata> readPolicies(Path file) throws IOException {
    List<HasMetadata> out = new ArrayList<>();
    for (String doc : Files.readString(file).split("(?m)^---\\s*$")) {
      if (doc.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      if (doc.contains("kind: CachePolicy")) {
        out.add(Serialization.unmarshal(doc, CachePolicy.class));
      } else if (doc.contains("kind: RoutePolicy")) {
        out.add(Serialization.unmarshal(doc, RoutePolicy.class));
      } else {
        throw new IllegalArgumentException(file + ": only CachePolicy and RoutePolicy documents are expected");
      }
    }
    return out;
  }

  /** VmRSS of this process, KiB (from /proc/self/status), or -1 when unknown. */
  static long selfRssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // unknown
    }
    return -1;
  }

  /** Milliseconds since this JVM started. */
  static long jvmUptimeMs() {
    return ManagementFactory.getRuntimeMXBean().getUptime();
  }

  /**
   * Polls {@code done} every {@code pollNanos} until it holds.
   *
   * @return the {@link System#nanoTime()} at which it was first seen to hold
   * @throws IllegalStateException when it does not hold within {@code timeoutMs}
   */
  static long awaitNanos(BooleanSupplier done, long timeoutMs, long pollNanos, String what) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (true) {
      long now = System.nanoTime();
      if (done.getAsBoolean()) {
        return now;
      }
      if (now > deadline) {
        throw new IllegalStateException("timed out after " + timeoutMs + " ms waiting for " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(pollNanos);
    }
  }

  /** The {@code p}-th percentile (0..100, nearest rank) of the values. */
  static double percentile(double[] values, double p) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /** The value of {@code --name} in args, or {@code dflt}. */
  static String arg(String[] args, String name, String dflt) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--" + name)) {
        return args[i + 1];
      }
    }
    return dflt;
  }
}

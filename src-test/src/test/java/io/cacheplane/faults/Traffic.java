package io.cacheplane.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

/**
 * A traffic generator: {@code workers} threads each send GET requests back to back (paced to {@code perSecond}
 * requests per second and worker) to the agents' traffic ports in turn, until {@link #stop()}. Every request is
 * counted once: <em>sent</em> when it leaves, then either <em>answered</em> (status 200) or <em>failed</em> (another
 * status, an I/O error or no answer within {@link #REQUEST_TIMEOUT}). Answers are also counted by their
 * {@code X-Cache} header (HIT, MISS, BYPASS). Each request also samples the agents' health ({@code healthy}); a
 * false sample counts in {@link Snapshot#unhealthy()}.
 */
final class Traffic implements AutoCloseable {

  /** Deadline of one request; no answer by then counts as failed. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int FAILURES_KEPT = 10;

  /**
   * Counters at one moment.
   *
   * @param sent requests sent
   * @param answered answered with status 200
   * @param failed answered with another status, or not answered (I/O error, timeout)
   * @param byCache answers by {@code X-Cache} value ({@code HIT}, {@code MISS}, {@code BYPASS}, {@code none})
   * @param unhealthy health samples that were false
   * @param failures the first few failures, for assertion messages
   */
  record Snapshot(long sent, long answered, long failed, Map<String, Long> byCache, long unhealthy,
      List<String> failures) {

    long hits() {
      return byCache.getOrDefault("HIT", 0L);
    }

    long misses() {
      return byCache.getOrDefault("MISS", 0L);
    }

    /** The counts of this snapshot minus those of an earlier one (failures: this snapshot's). */
    Snapshot since(Snapshot earlier) {
      Map<String, Long> cache = new ConcurrentHashMap<>(byCache);
      earlier.byCache.forEach((k, v) -> cache.merge(k, -v, Long::sum));
      return new Snapshot(sent - earlier.sent, answered - earlier.answered, failed - earlier.failed, Map.copyOf(cache),
          unhealthy - earlier.unhealthy, failures);
    }

    /** {@code sent=.. answered=.. failed=.. hit=.. miss=.. bypass=..}. */
    String counts() {
      return "sent=" + sent + " answered=" + answered + " failed=" + failed + " hit=" + hits() + " miss=" + misses()
          + " bypass=" + byCache.getOrDefault("BYPASS", 0L);
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  private final List<Integer> ports;
  private final LongFunction<String> paths;
  private final BooleanSupplier healthy;
  private final long intervalNanos;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong unhealthy = new AtomicLong();
  private final Map<String, AtomicLong> byCache = new ConcurrentHashMap<>();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new ArrayList<>();

  private Traffic(List<Integer> ports, LongFunction<String> paths, BooleanSupplier healthy, int perSecond) {
    this.ports = List.copyOf(ports);
    this.paths = paths;
    this.healthy = healthy;
    this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
  }

  /**
   * Starts sending.
   *
   * @param ports the agents' traffic ports (loopback), used in turn
   * @param paths path and query of the n-th request (n from 0), e.g. a fixed key for hits and a new one for misses
   * @param healthy sampled once per request: whether every agent reports itself healthy
   * @param workers threads sending concurrently, at least 1
   * @param perSecond requests per second and worker, at least 1
   */
  static Traffic start(List<Integer> ports, LongFunction<String> paths, BooleanSupplier healthy, int workers,
      int perSecond) {
    if (ports.isEmpty() || workers < 1 || perSecond < 1) {
      throw new IllegalArgumentException("need ports, workers >= 1 and perSecond >= 1");
    }
    Traffic t = new Traffic(ports, Objects.requireNonNull(paths), Objects.requireNonNull(healthy), perSecond);
    for (int i = 0; i < workers; i++) {
      Thread thread = new Thread(t::run, "fault-traffic-" + i);
      thread.setDaemon(true);
      t.threads.add(thread);
      thread.start();
    }
    return t;
  }

  private void run() {
    long next = System.nanoTime();
    while (running.get()) {
      long n = sequence.getAndIncrement();
      int port = ports.get((int) (n % ports.size()));
      send(port, paths.apply(n));
      if (!healthy.getAsBoolean()) {
        unhealthy.incrementAndGet();
      }
      next += intervalNanos;
      long wait = next - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait); // pacing of a load generator
      } else {
        next = System.nanoTime();
      }
    }
  }

  private void send(int port, String pathAndQuery) {
    URI uri = URI.create("http://127.0.0.1:" + port + pathAndQuery);
    sent.incrementAndGet();
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      byCache.computeIfAbsent(r.headers().firstValue("X-Cache").orElse("none"), k -> new AtomicLong())
          .incrementAndGet();
      if (r.statusCode() == 200) {
        answered.incrementAndGet();
      } else {
        fail(uri + " -> " + r.statusCode() + " " + r.body().strip());
      }
    } catch (java.io.IOException e) {
      fail(uri + " -> " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      fail(uri + " -> interrupted");
      running.set(false);
    }
  }

  private void fail(String what) {
    failed.incrementAndGet();
    if (failures.size() < FAILURES_KEPT) {
      failures.add(what);
    }
  }

  /** The counters now (requests in flight are counted as sent, not yet as answered or failed). */
  Snapshot snapshot() {
    Map<String, Long> cache = new ConcurrentHashMap<>();
    byCache.forEach((k, v) -> cache.put(k, v.get()));
    // answered and failed first: a request is counted as sent before either, so sent >= answered + failed
    long a = answered.get();
    long f = failed.get();
    return new Snapshot(sent.get(), a, f, Map.copyOf(cache), unhealthy.get(), List.copyOf(failures));
  }

  /**
   * Stops the workers and waits for their last requests (at most {@link #REQUEST_TIMEOUT} plus a second).
   *
   * @return the final counters: every request sent is answered or failed
   */
  Snapshot stop() {
    running.set(false);
    for (Thread t : threads) {
      try {
        t.join(REQUEST_TIMEOUT.toMillis() + 1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return snapshot();
  }

  @Override
  public void close() {
    stop();
  }
}

package io.cacheplane.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.cache.CachedResponse;
import io.cacheplane.agent.cache.ResponseCache;
import io.cacheplane.agent.config.PolicyApplier;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.RouteTable;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.operator.render.EnvelopeRenderer;
import io.cacheplane.operator.render.PolicyRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Live retuning under concurrent reads (JMH, sample-time mode: the latency of every sampled operation). Each group
 * runs one reader thread and one writer thread against a cache holding {@link #entries} entries:
 * <ul>
 *   <li>{@code baseline}: the reader, and a thread burning CPU instead of retuning (same number of busy threads);
 *   <li>{@code setMaximum}: {@code cache.policy().eviction().setMaximum} back to back, alternating between 1.5 and 2
 *       times the entry count (never below it, so nothing is evicted), on a Caffeine cache built as the agent builds
 *       its caches (size bound, expire-after-write and -access, maintenance on the calling thread);
 *   <li>{@code setExpiresAfter}: {@code policy().expireAfterWrite().setExpiresAfter}, alternating 10 and 20 minutes;
 *   <li>{@code envelope}: the agent's whole path for a changed CachePolicy ConfigMap, {@link PolicyApplier#upsert}
 *       (decode the YAML envelope, validate, recompute the revision, retune in place, publish states), alternating
 *       maximumSize and expireAfterWrite; the next envelope is rendered outside the measured time.
 * </ul>
 * A read that finds no entry (every key is present and none may be evicted) throws, which fails the group: the
 * runner reports failed groups. Writers run back to back, far more often than any real rollout would retune.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RetuneBenchmark {

  static final String POLICY = "bench";

  /** The cache, filled once per trial (state warm-up). */
  @State(Scope.Group)
  public static class Filled {
    @Param("1000000")
    public int entries;

    Cache<String, CachedResponse> caffeine;
    PolicyApplier applier;
    ResponseCache responseCache;
    String[] keys;
    long sequence;

    @Setup(Level.Trial)
    public void fill() {
      keys = new String[entries];
      for (int i = 0; i < entries; i++) {
        keys[i] = "GET /items?id=" + i;
      }
      CachedResponse value = new CachedResponse(200, "OK", List.of(), Buffer.buffer("x".repeat(64)),
          System.nanoTime());
      caffeine = Caffeine.newBuilder()
          .executor(Runnable::run)
          .expireAfterWrite(Duration.ofMinutes(10))
          .expireAfterAccess(Duration.ofDays(36500))
          .maximumSize(2L * entries)
          .build();
      AgentMetrics metrics = new AgentMetrics(new SimpleMeterRegistry());
      CacheRegistry caches = new CacheRegistry(Ticker.systemTicker(), metrics);
      applier = new PolicyApplier("bench-agent", java.util.Map.of(), (s, p) -> {
        throw new IllegalArgumentException("no backends here");
      }, caches, metrics, new AtomicReference<>(RouteTable.EMPTY));
      sequence = 1;
      applier.upsert(envelope(sequence, 2L * entries, "10m"));
      responseCache = caches.get(POLICY);
      if (responseCache == null) {
        throw new IllegalStateException("the envelope was not applied: " + applier.states());
      }
      for (String k : keys) {
        caffeine.put(k, value);
        responseCache.put(responseCache.storageKey(k), value);
      }
      caffeine.cleanUp();
      responseCache.cleanUp();
    }
  }

  /** The next envelope for the applier thread, rendered before each measured call. */
  @State(Scope.Thread)
  public static class NextEnvelope {
    ConfigMap next;

    @Setup(Level.Invocation)
    public void render(Filled f) {
      f.sequence++;
      boolean odd = (f.sequence & 1) == 1;
      next = envelope(f.sequence, odd ? 2L * f.entries : 3L * f.entries / 2, odd ? "10m" : "20m");
    }
  }

  /** Toggles for the Caffeine writers (one writer thread per group). */
  @State(Scope.Thread)
  public static class Toggle {
    boolean flip;
  }

  static ConfigMap envelope(long sequence, long maximumSize, String expireAfterWrite) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings cache = new CacheSettings();
    cache.setMaximumSize(maximumSize);
    cache.setExpireAfterWrite(expireAfterWrite);
    spec.setCache(cache);
    return EnvelopeRenderer.render(new PolicyRef("CachePolicy", "bench", POLICY, "uid-bench"), null,
        EnvelopeCodec.publish(spec, sequence, null), null, sequence).configMap();
  }

  private static CachedResponse present(CachedResponse r, String key) {
    if (r == null) {
      throw new IllegalStateException("read found no entry for a present key: " + key);
    }
    return r;
  }

  // --- baseline: reads next to a busy thread that does not retune -------------------------------------------------

  @Benchmark @Group("baseline") @GroupThreads(1)
  public CachedResponse baselineRead(Filled f) {
    String k = f.keys[ThreadLocalRandom.current().nextInt(f.keys.length)];
    return present(f.caffeine.getIfPresent(k), k);
  }

  @Benchmark @Group("baseline") @GroupThreads(1)
  public void baselineBusy() {
    Blackhole.consumeCPU(256);
  }

  // --- setMaximum ------------------------------------------------------------------------------------------------

  @Benchmark @Group("setMaximum") @GroupThreads(1)
  public CachedResponse setMaximumRead(Filled f) {
    String k = f.keys[ThreadLocalRandom.current().nextInt(f.keys.length)];
    return present(f.caffeine.getIfPresent(k), k);
  }

  @Benchmark @Group("setMaximum") @GroupThreads(1)
  public void setMaximum(Filled f, Toggle t) {
    t.flip = !t.flip;
    f.caffeine.policy().eviction().orElseThrow().setMaximum(t.flip ? 3L * f.entries / 2 : 2L * f.entries);
  }

  // --- setExpiresAfter -------------------------------------------------------------------------------------------

  @Benchmark @Group("setExpiresAfter") @GroupThreads(1)
  public CachedResponse setExpiresAfterRead(Filled f) {
    String k = f.keys[ThreadLocalRandom.current().nextInt(f.keys.length)];
    return present(f.caffeine.getIfPresent(k), k);
  }

  @Benchmark @Group("setExpiresAfter") @GroupThreads(1)
  public void setExpiresAfter(Filled f, Toggle t) {
    t.flip = !t.flip;
    f.caffeine.policy().expireAfterWrite().orElseThrow()
        .setExpiresAfter(t.flip ? Duration.ofMinutes(20) : Duration.ofMinutes(10));
  }

  // --- envelope: the agent's full apply path ---------------------------------------------------------------------

  @Benchmark @Group("envelope") @GroupThreads(1)
  public ResponseCache.Lookup envelopeRead(Filled f) {
    String k = f.keys[ThreadLocalRandom.current().nextInt(f.keys.length)];
    ResponseCache.Lookup l = f.responseCache.lookup(f.responseCache.storageKey(k));
    if (l == null) {
      throw new IllegalStateException("read found no entry for a present key: " + k);
    }
    return l;
  }

  @Benchmark @Group("envelope") @GroupThreads(1)
  public void envelopeApply(Filled f, NextEnvelope e) {
    f.applier.upsert(e.next);
  }
}

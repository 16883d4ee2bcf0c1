package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.CacheView;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ResponseCacheTest {

  private final FakeTicker ticker = new FakeTicker();
  private final AtomicInteger evictions = new AtomicInteger();

  private static CacheConfig size(long max, String write) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumSize(max);
    s.setExpireAfterWrite(write);
    spec.setCache(s);
    return CacheConfig.from(spec);
  }

  private static CacheConfig weight(String bytes) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumWeight(new IntOrString(bytes));
    spec.setCache(s);
    return CacheConfig.from(spec);
  }

  private CachedResponse response() {
    return new CachedResponse(200, null, List.of(), Buffer.buffer("body"), ticker.read());
  }

  private void fill(ResponseCache cache, int n) {
    for (int i = 0; i < n; i++) {
      cache.put("k" + i, response());
    }
  }

  @Test
  void retunesMaximumSizeInPlaceKeepingWhatFits() {
    ResponseCache cache = new ResponseCache("c", size(10_000, null), ticker, cause -> evictions.incrementAndGet());
    fill(cache, 1_000);
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1_000);

    assertThat(cache.apply(size(100, null))).isEqualTo(Tuning.RETUNE);
    cache.cleanUp();
    CacheView small = cache.view();
    assertThat(small.maximum()).isEqualTo(100);
    assertThat(small.estimatedSize()).isEqualTo(100);
    assertThat(small.incarnation()).isEqualTo(1);
    assertThat(evictions).hasValue(900);

    assertThat(cache.apply(size(10_000, null))).isEqualTo(Tuning.RETUNE);
    cache.cleanUp();
    CacheView big = cache.view();
    assertThat(big.maximum()).isEqualTo(10_000);
    assertThat(big.estimatedSize()).as("entries that fit are kept, nothing is flushed").isEqualTo(100);
    fill(cache, 1_000);
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(1_000);
    assertThat(cache.view().incarnation()).as("same Caffeine instance throughout").isEqualTo(1);
  }

  @Test
  void shorterWriteExpiryExpiresOldEntriesByTheNewTtl() {
    ResponseCache cache = new ResponseCache("c", size(100, "10m"), ticker, cause -> evictions.incrementAndGet());
    cache.put("old", response());
    ticker.advance(Duration.ofMinutes(2));
    cache.put("young", response());
    assertThat(cache.get("old")).isNotNull();

    assertThat(cache.apply(size(100, "90s"))).isEqualTo(Tuning.RETUNE);
    assertThat(cache.view().expireAfterWrite()).isEqualTo(Duration.ofSeconds(90));
    assertThat(cache.get("old")).as("2 minutes old, TTL now 90 s").isNull();
    assertThat(cache.get("young")).isNotNull();
    ticker.advance(Duration.ofSeconds(91));
    assertThat(cache.get("young")).isNull();
    assertThat(cache.view().incarnation()).isEqualTo(1);
  }

  @Test
  void accessExpiryIsAlwaysConfiguredAndRetunable() {
    ResponseCache cache = new ResponseCache("c", size(100, "1h"), ticker, cause -> evictions.incrementAndGet());
    assertThat(cache.view().expireAfterAccess()).isEqualTo(CacheConfig.NO_EXPIRY);
    cache.put("k", response());
    ticker.advance(Duration.ofMinutes(5));

    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumSize(100L);
    s.setExpireAfterWrite("1h");
    s.setExpireAfterAccess("1m");
    spec.setCache(s);
    assertThat(cache.apply(CacheConfig.from(spec))).isEqualTo(Tuning.RETUNE);
    assertThat(cache.view().expireAfterAccess()).isEqualTo(Duration.ofMinutes(1));
    assertThat(cache.get("k")).as("idle for 5 minutes, access TTL now 1 minute").isNull();
  }

  @Test
  void changeOfDimensionRebuildsWithAWarmSwap() {
    ResponseCache cache = new ResponseCache("c", size(100, null), ticker, cause -> evictions.incrementAndGet());
    fill(cache, 50);
    ticker.advance(Duration.ofMinutes(4));

    assertThat(cache.apply(weight("1Mi"))).isEqualTo(Tuning.REBUILD);
    CacheView v = cache.view();
    assertThat(v.weighted()).isTrue();
    assertThat(v.maximum()).isEqualTo(1024 * 1024);
    assertThat(v.incarnation()).isEqualTo(2);
    assertThat(v.estimatedSize()).as("entries copied").isEqualTo(50);
    assertThat(cache.get("k0")).isNotNull();

    ticker.advance(Duration.ofMinutes(1));
    assertThat(cache.get("k0")).as("a copied entry keeps its original age: 5 minutes, expired").isNull();
  }

  @Test
  void rebuildIntoASmallerBoundKeepsWhatFitsAndServes() {
    ResponseCache cache = new ResponseCache("c", size(100, null), ticker, cause -> evictions.incrementAndGet());
    for (int i = 0; i < 50; i++) {
      cache.put("k" + i, new CachedResponse(200, null, List.of(), Buffer.buffer(new byte[300]), ticker.read()));
    }
    assertThat(cache.apply(weight("4Ki"))).isEqualTo(Tuning.REBUILD);
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isBetween(1L, 12L);
    assertThat(cache.weightedSize().orElseThrow()).isLessThanOrEqualTo(4096);
    long served = java.util.stream.IntStream.range(0, 50).filter(i -> cache.get("k" + i) != null).count();
    assertThat(served).as("the carried entries are served").isEqualTo(cache.estimatedSize());
  }

  @Test
  void weightBoundCountsBytes() {
    ResponseCache cache = new ResponseCache("c", weight("1Ki"), ticker, cause -> evictions.incrementAndGet());
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, new CachedResponse(200, null, List.of(), Buffer.buffer(new byte[300]), ticker.read()));
    }
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(3);
  }

  private static CacheConfig spec(java.util.function.Consumer<CachePolicySpec> edit) {
    CachePolicySpec spec = new CachePolicySpec();
    spec.setCache(new CacheSettings());
    edit.accept(spec);
    return CacheConfig.from(spec);
  }

  @Test
  void weightCountsBodyHeadersAndKey() {
    ResponseCache cache = new ResponseCache("c", weight("1Mi"), ticker, cause -> evictions.incrementAndGet());
    cache.put("GET /p", new CachedResponse(200, null,
        List.of(java.util.Map.entry("Content-Type", "text/plain")), Buffer.buffer(new byte[100]), ticker.read()));
    cache.cleanUp();
    assertThat(cache.weightedSize()).hasValue(CachedResponse.OVERHEAD + 100 + "Content-Type".length()
        + "text/plain".length() + "GET /p".length());
  }

  @Test
  void staleWindowsAreRetainedAndServedByState() {
    ResponseCache cache = new ResponseCache("c", spec(s -> {
      s.getCache().setExpireAfterWrite("60s");
      s.getCache().setStaleWhileRevalidate("30s");
      s.getCache().setStaleIfError("5m");
    }), ticker, cause -> evictions.incrementAndGet());
    assertThat(cache.view().expireAfterWrite()).as("retention: TTL + the longer window").hasSeconds(360);
    cache.put("k", response());
    ticker.advance(Duration.ofSeconds(59));
    assertThat(cache.lookup("k").state()).isEqualTo(Freshness.State.FRESH);
    ticker.advance(Duration.ofSeconds(2));
    assertThat(cache.lookup("k").state()).isEqualTo(Freshness.State.STALE_WHILE_REVALIDATE);
    assertThat(cache.get("k")).as("get() is for fresh entries only").isNull();
    ticker.advance(Duration.ofSeconds(30));
    assertThat(cache.lookup("k").state()).isEqualTo(Freshness.State.STALE_IF_ERROR);

    // retuning keeps the retention covering the windows
    assertThat(cache.apply(spec(s -> {
      s.getCache().setExpireAfterWrite("60s");
      s.getCache().setStaleWhileRevalidate("30s");
      s.getCache().setStaleIfError("10m");
    }))).isEqualTo(Tuning.RETUNE);
    assertThat(cache.view().expireAfterWrite()).hasSeconds(660);
    ticker.advance(Duration.ofMinutes(8));
    assertThat(cache.lookup("k").state()).isEqualTo(Freshness.State.STALE_IF_ERROR);
    ticker.advance(Duration.ofMinutes(2));
    assertThat(cache.lookup("k")).as("past TTL + staleIfError").isNull();
  }

  @Test
  void purgeGenerationChangePurgesAndNothingElseDoes() {
    ResponseCache cache = new ResponseCache("c", spec(s -> s.setPurgeGeneration(0L)), ticker,
        cause -> evictions.incrementAndGet());
    fill(cache, 10);
    cache.apply(spec(s -> s.setPurgeGeneration(0L)));
    cache.apply(spec(s -> {
      s.setPurgeGeneration(0L);
      s.getCache().setMaximumSize(500L);
    }));
    cache.cleanUp();
    assertThat(cache.estimatedSize()).as("unchanged generation, other changes: kept").isEqualTo(10);

    cache.apply(spec(s -> s.setPurgeGeneration(1L)));
    cache.cleanUp();
    assertThat(cache.estimatedSize()).as("new generation: purged").isZero();

    fill(cache, 10);
    cache.apply(spec(s -> s.setPurgeGeneration(0L)));
    cache.cleanUp();
    assertThat(cache.estimatedSize()).as("a rollback to the old spec purges again").isZero();
  }

  @Test
  void purgeByPathPrefixRemovesEveryVariantUnderIt() {
    CacheConfig config = spec(s -> {
      io.cacheplane.api.v1alpha1.CacheKeySpec k = new io.cacheplane.api.v1alpha1.CacheKeySpec();
      k.setQueryParameters(List.of("page"));
      k.setLowercasePath(true);
      s.setKey(k);
    });
    ResponseCache cache = new ResponseCache("c", config, ticker, cause -> evictions.incrementAndGet());
    for (String[] r : new String[][] {{"GET", "/products/1", "page=1"}, {"GET", "/Products/1", "page=2"},
        {"HEAD", "/products/2", null}, {"GET", "/products", null}, {"GET", "/cart/products/1", null}}) {
      cache.put(CacheKeys.key(config.key(), r[0], null, false, r[1], r[2], n -> List.of(), null), response());
    }
    cache.put(CacheKeys.key(config.key(), "GET", null, false, "/products/9", null, n -> List.of(), "tenant-a"),
        response());

    assertThat(cache.purgePrefix("/PRODUCTS/")).as("folded like key paths; methods, queries, scopes").isEqualTo(4);
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isEqualTo(2);
    assertThat(cache.get(CacheKeys.key(config.key(), "GET", "/products", null, n -> List.of()))).isNotNull();
    assertThat(cache.purgeKey(CacheKeys.key(config.key(), "GET", "/products", null, n -> List.of()))).isEqualTo(1);
    assertThat(cache.purgeKey("GET /nothing")).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.purgePrefix("products"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must start with /");
  }

  @Test
  void sensitiveCacheSealsValuesHashesKeysAndRefusesPrefixPurges() {
    Sealer sealer = Sealer.of(new byte[32]);
    CacheConfig config = spec(s -> s.setSensitive(true));
    ResponseCache cache = new ResponseCache("secret", config, sealer, ticker, cause -> evictions.incrementAndGet());
    String key = cache.storageKey("GET /me");
    assertThat(key).isNotEqualTo("GET /me").doesNotContain("/me").hasSize(43);
    cache.put(key, new CachedResponse(200, "OK", List.of(java.util.Map.entry("X-Card", "4111")),
        Buffer.buffer("account 42"), ticker.read()));

    CachedResponse raw = cache.stored(key);
    assertThat(raw.body().toString(java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("account", "4111");
    assertThat(raw.headers()).isEmpty();
    CachedResponse open = cache.get(key);
    assertThat(open.body().toString()).isEqualTo("account 42");
    assertThat(open.headers()).containsExactly(java.util.Map.entry("X-Card", "4111"));
    assertThat(open.statusMessage()).isEqualTo("OK");

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.purgePrefix("/"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sensitive").hasMessageContaining("exact key");
    assertThat(cache.purgeKey("GET /me")).as("exact keys are hashed the same way").isEqualTo(1);
    assertThat(cache.get(key)).isNull();
  }

  @Test
  void turningSensitiveOnEmptiesTheCache() {
    ResponseCache cache = new ResponseCache("c", size(100, null), ticker, cause -> evictions.incrementAndGet());
    fill(cache, 5);
    cache.apply(spec(s -> {
      s.getCache().setMaximumSize(100L);
      s.setSensitive(true);
    }), Sealer.of(new byte[32]));
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> cache.apply(size(100, null), Sealer.of(new byte[32])))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void shrinkAndGrowUnderConcurrentLoad() throws Exception {
    ResponseCache cache = new ResponseCache("c", size(10_000, null), ticker, cause -> evictions.incrementAndGet());
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong ops = new java.util.concurrent.atomic.AtomicLong();
    java.util.Queue<Throwable> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
    java.util.List<Thread> threads = new java.util.ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int seed = t;
      Thread th = new Thread(() -> {
        java.util.Random random = new java.util.Random(seed);
        try {
          while (!stop.get()) {
            String k = "k" + random.nextInt(20_000);
            if (cache.lookup(k) == null) {
              cache.put(k, response());
            }
            ops.incrementAndGet();
          }
        } catch (Throwable e) {
          errors.add(e);
        }
      });
      threads.add(th);
      th.start();
    }
    try {
      org.awaitility.Awaitility.await().until(() -> ops.get() > 50_000);
      assertThat(cache.apply(size(100, null))).isEqualTo(Tuning.RETUNE);
      long at = ops.get();
      org.awaitility.Awaitility.await().until(() -> ops.get() > at + 50_000);
      stop.set(true);
      for (Thread th : threads) {
        th.join();
      }
      cache.cleanUp();
      assertThat(cache.estimatedSize()).as("the bound holds after maintenance").isLessThanOrEqualTo(100);
      long kept = cache.estimatedSize();
      assertThat(kept).isPositive();

      assertThat(cache.apply(size(10_000, null))).isEqualTo(Tuning.RETUNE);
      cache.cleanUp();
      assertThat(cache.estimatedSize()).as("growing back clears nothing").isEqualTo(kept);
      fill(cache, 5_000);
      cache.cleanUp();
      assertThat(cache.estimatedSize()).isGreaterThan(1_000);
      assertThat(cache.view().incarnation()).isEqualTo(1);
    } finally {
      stop.set(true);
    }
    assertThat(errors).isEmpty();
  }
}

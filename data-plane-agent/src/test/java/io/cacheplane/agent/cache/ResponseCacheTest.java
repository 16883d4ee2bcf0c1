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
  void weightBoundCountsBytes() {
    ResponseCache cache = new ResponseCache("c", weight("1Ki"), ticker, cause -> evictions.incrementAndGet());
    for (int i = 0; i < 10; i++) {
      cache.put("k" + i, new CachedResponse(200, null, List.of(), Buffer.buffer(new byte[300]), ticker.read()));
    }
    cache.cleanUp();
    assertThat(cache.estimatedSize()).isLessThanOrEqualTo(3);
  }
}

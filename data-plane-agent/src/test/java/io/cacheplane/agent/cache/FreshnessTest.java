package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.cache.Freshness.State;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FreshnessTest {

  private static final long S = 1_000_000_000L;
  private static final long NONE = CachedResponse.NO_LIFETIME;
  private static final Instant RECEIVED = Instant.parse("2024-05-01T10:00:00Z");

  private static Function<String, List<String>> h(Map<String, String> headers) {
    Map<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> ci.put(k, List.of(v)));
    return n -> ci.getOrDefault(n, List.of());
  }

  static Stream<Arguments> lifetimes() {
    String date = "Wed, 01 May 2024 09:00:00 GMT";
    return Stream.of(
        Arguments.of("nothing", Map.of(), NONE),
        Arguments.of("max-age", Map.of("Cache-Control", "public, max-age=60"), 60 * S),
        Arguments.of("s-maxage wins over max-age", Map.of("Cache-Control", "max-age=60, s-maxage=10"), 10 * S),
        Arguments.of("quoted and spaced", Map.of("Cache-Control", "MAX-AGE = \"30\""), 30 * S),
        Arguments.of("max-age wins over Expires",
            Map.of("Cache-Control", "max-age=5", "Date", date, "Expires", "Wed, 01 May 2024 10:00:00 GMT"), 5 * S),
        Arguments.of("Expires relative to Date", Map.of("Date", date, "Expires", "Wed, 01 May 2024 09:02:00 GMT"),
            120 * S),
        Arguments.of("Expires without Date: relative to receipt", Map.of("Expires", "Wed, 01 May 2024 10:00:30 GMT"),
            30 * S),
        Arguments.of("Expires in the past", Map.of("Date", date, "Expires", "Wed, 01 May 2024 08:00:00 GMT"), 0L),
        Arguments.of("invalid Expires means expired", Map.of("Expires", "0"), 0L),
        Arguments.of("Age is subtracted", Map.of("Cache-Control", "max-age=60", "Age", "15"), 45 * S),
        Arguments.of("Age beyond the lifetime", Map.of("Cache-Control", "max-age=60", "Age", "90"), 0L),
        Arguments.of("malformed max-age ignored", Map.of("Cache-Control", "max-age=soon"), NONE),
        Arguments.of("huge max-age capped at 2^31 s", Map.of("Cache-Control", "max-age=99999999999999999999"),
            Freshness.MAX_DELTA_SECONDS * S),
        Arguments.of("max-age at the cap", Map.of("Cache-Control", "max-age=9999999999"),
            Freshness.MAX_DELTA_SECONDS * S));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("lifetimes")
  void upstreamLifetime(String why, Map<String, String> headers, long expected) {
    assertThat(Freshness.upstreamLifetimeNanos(h(headers), RECEIVED)).isEqualTo(expected);
  }

  private static CacheConfig config(String write, String swr, String sie) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setExpireAfterWrite(write);
    s.setStaleWhileRevalidate(swr);
    s.setStaleIfError(sie);
    spec.setCache(s);
    return CacheConfig.from(spec);
  }

  static Stream<Arguments> states() {
    CacheConfig ttl = config("60s", null, null);
    CacheConfig windows = config("60s", "10s", "5m");
    CacheConfig errorOnly = config("60s", null, "30s");
    return Stream.of(
        Arguments.of("young", ttl, NONE, 59, State.FRESH),
        Arguments.of("at the TTL", ttl, NONE, 60, State.EXPIRED),
        Arguments.of("upstream lifetime shortens", ttl, 10 * S, 10, State.EXPIRED),
        Arguments.of("upstream lifetime never lengthens", ttl, 3600 * S, 61, State.EXPIRED),
        Arguments.of("within stale-while-revalidate", windows, NONE, 65, State.STALE_WHILE_REVALIDATE),
        Arguments.of("past swr, within stale-if-error", windows, NONE, 71, State.STALE_IF_ERROR),
        Arguments.of("past both windows", windows, NONE, 360, State.EXPIRED),
        Arguments.of("windows count from the upstream lifetime", windows, 20 * S, 25, State.STALE_WHILE_REVALIDATE),
        Arguments.of("stale-if-error only", errorOnly, NONE, 89, State.STALE_IF_ERROR),
        Arguments.of("max-age=0 within stale-if-error", errorOnly, 0L, 0, State.STALE_IF_ERROR));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("states")
  void state(String why, CacheConfig config, long lifetime, long ageSeconds, State expected) {
    CachedResponse r = new CachedResponse(200, null, List.of(), Buffer.buffer(), 1_000, lifetime);
    assertThat(Freshness.state(config, r, 1_000 + ageSeconds * S)).isEqualTo(expected);
    assertThat(config.caffeineExpireAfterWrite()).as("retained through the longer window")
        .isEqualTo(config.expireAfterWrite().plus(config.maxStale()));
  }

  @org.junit.jupiter.api.Test
  void retentionCoversTheLongerWindow() {
    assertThat(config("60s", "10s", "5m").caffeineExpireAfterWrite()).isEqualTo(Duration.ofSeconds(360));
    assertThat(config("60s", "2m", "30s").caffeineExpireAfterWrite()).isEqualTo(Duration.ofSeconds(180));
    assertThat(config("60s", null, null).caffeineExpireAfterWrite()).isEqualTo(Duration.ofSeconds(60));
  }
}

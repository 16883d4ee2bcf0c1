package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.cache.Cacheability.Verdict;
import io.cacheplane.api.v1alpha1.CacheKeySpec;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.CacheableSpec;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CacheabilityTest {

  private static final CacheConfig DEFAULTS = CacheConfig.defaults();

  private static CacheConfig config(Boolean honor, List<String> keyHeaders, String staleIfError) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaxEntrySize(new IntOrString("1Ki"));
    s.setStaleIfError(staleIfError);
    spec.setCache(s);
    CacheableSpec c = new CacheableSpec();
    c.setHonorCacheControl(honor);
    spec.setCacheable(c);
    CacheKeySpec k = new CacheKeySpec();
    k.setHeaders(keyHeaders);
    spec.setKey(k);
    return CacheConfig.from(spec);
  }

  private static Function<String, List<String>> h(Map<String, String> headers) {
    Map<String, List<String>> ci = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((k, v) -> ci.put(k, List.of(v)));
    return n -> ci.getOrDefault(n, List.of());
  }

  private static final long NONE = CachedResponse.NO_LIFETIME;

  static Stream<Arguments> table() {
    CacheConfig strict = config(null, null, null);
    CacheConfig lax = config(false, null, null);
    CacheConfig byLanguage = config(null, List.of("Accept-Language"), null);
    CacheConfig staleOnError = config(null, null, "1m");
    return Stream.of(
        Arguments.of("plain 200", strict, 200, Map.of(), 10, NONE, Verdict.STORE),
        Arguments.of("404 is heuristically cacheable", strict, 404, Map.of(), 10, NONE, Verdict.STORE),
        Arguments.of("500 is not", strict, 500, Map.of(), 10, NONE, Verdict.STATUS_NOT_CACHEABLE),
        Arguments.of("302 is not", strict, 302, Map.of(), 10, NONE, Verdict.STATUS_NOT_CACHEABLE),
        Arguments.of("body at maxEntrySize", strict, 200, Map.of(), 1024, NONE, Verdict.STORE),
        Arguments.of("body over maxEntrySize", strict, 200, Map.of(), 1025, NONE, Verdict.TOO_LARGE),
        Arguments.of("Set-Cookie", strict, 200, Map.of("Set-Cookie", "s=1"), 10, NONE, Verdict.SET_COOKIE),
        Arguments.of("Set-Cookie even without honorCacheControl", lax, 200, Map.of("Set-Cookie", "s=1"), 10, NONE,
            Verdict.SET_COOKIE),
        Arguments.of("no-store", strict, 200, Map.of("Cache-Control", "max-age=60, no-store"), 10, 60_000_000_000L,
            Verdict.NO_STORE),
        Arguments.of("private", strict, 200, Map.of("Cache-Control", "private=\"x\""), 10, NONE, Verdict.PRIVATE),
        Arguments.of("no-cache", strict, 200, Map.of("Cache-Control", "no-cache"), 10, NONE, Verdict.NO_CACHE),
        Arguments.of("NO-STORE in capitals", strict, 200, Map.of("Cache-Control", "NO-STORE"), 10, NONE,
            Verdict.NO_STORE),
        Arguments.of("no-store ignored when not honoured", lax, 200, Map.of("Cache-Control", "no-store"), 10, NONE,
            Verdict.STORE),
        Arguments.of("no-cache ignored when not honoured", lax, 200, Map.of("Cache-Control", "no-cache"), 10, NONE,
            Verdict.STORE),
        Arguments.of("max-age=0 without a stale window", strict, 200, Map.of("Cache-Control", "max-age=0"), 10, 0L,
            Verdict.EXPIRED),
        Arguments.of("max-age=0 kept for staleIfError", staleOnError, 200, Map.of("Cache-Control", "max-age=0"), 10,
            0L, Verdict.STORE),
        Arguments.of("Vary on a header outside the key", strict, 200, Map.of("Vary", "Accept-Encoding"), 10, NONE,
            Verdict.VARY),
        Arguments.of("Vary on a key header", byLanguage, 200, Map.of("Vary", "accept-language"), 10, NONE,
            Verdict.STORE),
        Arguments.of("Vary *", byLanguage, 200, Map.of("Vary", "*"), 10, NONE, Verdict.VARY));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(String why, CacheConfig config, int status, Map<String, String> headers, long body, long lifetime,
      Verdict expected) {
    assertThat(Cacheability.decide(config, status, h(headers), body, lifetime)).isEqualTo(expected);
  }

  @Test
  void defaultsFollowTheCrd() {
    assertThat(DEFAULTS.statusCodes()).containsExactlyInAnyOrder(200, 203, 204, 300, 301, 404, 405, 410, 414, 501);
    assertThat(DEFAULTS.methods()).containsExactlyInAnyOrder("GET", "HEAD");
    assertThat(DEFAULTS.cacheableMethod("get")).isTrue();
    assertThat(DEFAULTS.cacheableMethod("POST")).isFalse();
    assertThat(DEFAULTS.maxEntrySize()).isEqualTo(1024 * 1024);
    assertThat(DEFAULTS.maximum()).isEqualTo(10_000);
    assertThat(DEFAULTS.weighted()).isFalse();
    assertThat(DEFAULTS.expireAfterWrite()).hasMinutes(5);
    assertThat(DEFAULTS.expireAfterAccess()).isNull();
    assertThat(DEFAULTS.honorCacheControl()).isTrue();
  }
}

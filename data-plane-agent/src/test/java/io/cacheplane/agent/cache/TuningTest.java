package io.cacheplane.agent.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheSettings;
import io.cacheplane.api.v1alpha1.CacheableSpec;
import io.cacheplane.api.v1alpha1.HttpMethod;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TuningTest {

  private static CacheConfig cfg(Long size, String weight, String write, String access, List<HttpMethod> methods) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumSize(size);
    s.setMaximumWeight(weight == null ? null : new IntOrString(weight));
    s.setExpireAfterWrite(write);
    s.setExpireAfterAccess(access);
    spec.setCache(s);
    CacheableSpec c = new CacheableSpec();
    c.setMethods(methods);
    spec.setCacheable(c);
    return CacheConfig.from(spec);
  }

  private static CacheConfig stale(String write, String swr, String sie) {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumSize(100L);
    s.setExpireAfterWrite(write);
    s.setStaleWhileRevalidate(swr);
    s.setStaleIfError(sie);
    spec.setCache(s);
    return CacheConfig.from(spec);
  }

  private static CacheConfig other() {
    CachePolicySpec spec = new CachePolicySpec();
    CacheSettings s = new CacheSettings();
    s.setMaximumSize(100L);
    s.setExpireAfterWrite("5m");
    spec.setCache(s);
    spec.setSensitive(true);
    spec.setScope(io.cacheplane.api.v1alpha1.CacheScope.User);
    spec.setScopeHeader("X-User");
    spec.setPurgeGeneration(7L);
    return CacheConfig.from(spec);
  }

  static Stream<Arguments> table() {
    CacheConfig base = cfg(100L, null, "5m", null, null);
    return Stream.of(
        Arguments.of("no cache yet", null, base, Tuning.CREATE),
        Arguments.of("identical", base, cfg(100L, null, "5m", null, null), Tuning.UNCHANGED),
        Arguments.of("default equals explicit", cfg(null, null, null, null, null), cfg(10000L, null, "5m", null, null),
            Tuning.UNCHANGED),
        Arguments.of("only storage rules change", base, cfg(100L, null, "5m", null, List.of(HttpMethod.GET)),
            Tuning.UNCHANGED),
        Arguments.of("size", base, cfg(200L, null, "5m", null, null), Tuning.RETUNE),
        Arguments.of("write expiry", base, cfg(100L, null, "1m", null, null), Tuning.RETUNE),
        Arguments.of("access expiry added", base, cfg(100L, null, "5m", "30s", null), Tuning.RETUNE),
        Arguments.of("weight bound", cfg(null, "1Mi", "5m", null, null), cfg(null, "2Mi", "5m", null, null), Tuning.RETUNE),
        Arguments.of("stale window added", base, stale("5m", "1m", null), Tuning.RETUNE),
        Arguments.of("same retention, other split", stale("5m", "1m", null), stale("4m", null, "2m"), Tuning.UNCHANGED),
        Arguments.of("the longer window counts", stale("5m", "1m", "2m"), stale("5m", "2m", "1m"), Tuning.UNCHANGED),
        Arguments.of("sensitive or scope only", base, other(), Tuning.UNCHANGED),
        Arguments.of("entries to bytes", base, cfg(null, "64Mi", "5m", null, null), Tuning.REBUILD),
        Arguments.of("bytes to entries", cfg(null, "64Mi", "5m", null, null), base, Tuning.REBUILD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void plans(String why, CacheConfig current, CacheConfig desired, Tuning expected) {
    assertThat(Tuning.plan(current, desired)).isEqualTo(expected);
  }
}

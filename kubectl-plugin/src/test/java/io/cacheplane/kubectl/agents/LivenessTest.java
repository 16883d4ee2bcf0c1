package io.cacheplane.kubectl.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class LivenessTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  static Stream<Arguments> rows() {
    return Stream.of(
        Arguments.of("renewed just now", NOW, 15, Liveness.LIVE),
        Arguments.of("renewed exactly one lease duration ago", NOW.minusSeconds(15), 15, Liveness.LIVE),
        Arguments.of("one second past the lease", NOW.minusSeconds(16), 15, Liveness.STALE),
        Arguments.of("ten minutes ago", NOW.minusSeconds(600), 15, Liveness.STALE),
        Arguments.of("long lease still valid", NOW.minusSeconds(600), 3600, Liveness.LIVE),
        Arguments.of("renew time ahead of our clock", NOW.plusSeconds(30), 15, Liveness.LIVE),
        Arguments.of("no renew time", null, 15, Liveness.UNKNOWN),
        Arguments.of("no lease duration", NOW, null, Liveness.UNKNOWN),
        Arguments.of("zero lease duration", NOW, 0, Liveness.UNKNOWN),
        Arguments.of("negative lease duration", NOW, -5, Liveness.UNKNOWN));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void judgesByTheLocalClock(String what, Instant renewTime, Integer leaseSeconds, Liveness expected) {
    assertThat(Liveness.of(renewTime, leaseSeconds, NOW)).isEqualTo(expected);
  }
}

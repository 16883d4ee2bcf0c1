package io.cacheplane.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

  @Test
  void defaultsAreClientGosTiming() {
    LeaderElection e = LeaderElection.of("cacheplane-system", "cacheplane-operator-7f9c-x2");
    assertThat(e.leaseName()).isEqualTo("cacheplane-operator");
    assertThat(e.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(e.renewDeadline()).isEqualTo(Duration.ofSeconds(10));
    assertThat(e.retryPeriod()).isEqualTo(Duration.ofSeconds(2));
    assertThat(OperatorSettings.defaults().leaderElection()).as("off unless asked").isNull();
    assertThat(OperatorSettings.defaults().withLeaderElection(e).leaderElection()).isEqualTo(e);
  }

  static Stream<Arguments> invalid() {
    Duration s15 = Duration.ofSeconds(15);
    Duration s10 = Duration.ofSeconds(10);
    Duration s2 = Duration.ofSeconds(2);
    return Stream.of(
        Arguments.of("upper-case lease name", "Operator", "ns", "pod", s15, s10, s2, "DNS subdomain"),
        Arguments.of("lease name over 253", "a".repeat(254), "ns", "pod", s15, s10, s2, "DNS subdomain"),
        Arguments.of("blank namespace", "lease", " ", "pod", s15, s10, s2, "POD_NAMESPACE"),
        Arguments.of("blank identity", "lease", "ns", "", s15, s10, s2, "POD_NAME"),
        Arguments.of("zero retry", "lease", "ns", "pod", s15, s10, Duration.ZERO, "positive"),
        Arguments.of("lease not above renew", "lease", "ns", "pod", s10, s10, s2, "longer than renewDeadline"),
        Arguments.of("renew not above 1.2 x retry", "lease", "ns", "pod", s15, Duration.ofMillis(2400), s2,
            "1.2 × retryPeriod"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void refusesWhatClientGoWouldRefuse(String row, String name, String ns, String id, Duration lease, Duration renew,
      Duration retry, String message) {
    assertThatThrownBy(() -> new LeaderElection(name, ns, id, lease, renew, retry))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
  }
}

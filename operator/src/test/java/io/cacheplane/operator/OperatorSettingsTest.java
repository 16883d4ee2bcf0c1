package io.cacheplane.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

  @Test
  void defaultsWatchAllNamespacesWithTheSystemClock() {
    OperatorSettings s = OperatorSettings.defaults();
    assertThat(s.namespaces()).isEmpty();
    assertThat(s.clock()).isEqualTo(Clock.systemUTC());
    assertThat(s.meterRegistry()).isNotNull();
  }

  @Test
  void rejectsBlankNamespacesAndNulls() {
    OperatorSettings d = OperatorSettings.defaults();
    assertThatThrownBy(() -> d.withNamespaces(Set.of(" "))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withClock(null)).isInstanceOf(NullPointerException.class);
  }
}

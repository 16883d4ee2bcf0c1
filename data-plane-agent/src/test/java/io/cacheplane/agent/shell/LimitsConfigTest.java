package io.cacheplane.agent.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.agent.ProxyLimits;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {

  @Test
  void theConfigurationDefaultsAreProxyLimitsDefaults() {
    assertThat(AgentLifecycle.limits(4096, "8Ki", "10Mi", "60s")).isEqualTo(ProxyLimits.DEFAULTS);
    assertThat(AgentLifecycle.limits(100, "1000", "1k", "500ms"))
        .isEqualTo(new ProxyLimits(100, 1000, 1000, Duration.ofMillis(500)));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "header size not a quantity | 4096 | lots | 10Mi | cacheplane.agent.limits.max-header-size",
      "body blank                 | 4096 | 8Ki  | ''   | cacheplane.agent.limits.max-request-body",
      "body negative              | 4096 | 8Ki  | -1   | cacheplane.agent.limits.max-request-body",
      "header size over 2Gi       | 4096 | 3Gi  | 10Mi | cacheplane.agent.limits.max-header-size",
      "uri length zero            | 0    | 8Ki  | 10Mi | cacheplane.agent.limits",
      "idle timeout not a duration| 4096 | 8Ki  | 10Mi | cacheplane.agent.limits.client-idle-timeout"})
  void badValuesNameTheirKey(String why, int uri, String header, String body, String key) {
    String idle = why.startsWith("idle") ? "a minute" : "60s";
    assertThatThrownBy(() -> AgentLifecycle.limits(uri, header, body, idle))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(key);
  }
}

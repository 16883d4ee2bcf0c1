package io.cacheplane.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentSettingsTest {

  @Test
  void defaults() {
    AgentSettings s = AgentSettings.defaults("agent-0", "ns");
    assertThat(s.podUid()).isNull();
    assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(5));
    assertThat(s.leaseDurationSeconds()).isEqualTo(15);
    assertThat(new AgentSettings("a", "ns", null, null, 0, null, null, null).leaseDuration())
        .as("the constructor of before the Lease").isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void withersKeepEveryOtherField() {
    AgentSettings s = AgentSettings.defaults("agent-0", "ns")
        .withPodUid("uid-1")
        .withLeaseDuration(Duration.ofSeconds(30))
        .withHeartbeat(Duration.ofSeconds(2))
        .withPodLabels(Map.of("app", "shop"))
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(8080);
    assertThat(s.podUid()).isEqualTo("uid-1");
    assertThat(s.leaseDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.heartbeat()).isEqualTo(Duration.ofSeconds(2));
    assertThat(s.podLabels()).containsEntry("app", "shop");
    assertThat(s.trafficPort()).isEqualTo(8080);
    assertThat(s.withPodUid("  ").podUid()).as("blank is unknown").isNull();
  }

  @Test
  void aDefaultHeartbeatFollowsTheLeaseDurationAnExplicitOneStays() {
    assertThat(AgentSettings.defaults("a", "ns").withLeaseDuration(Duration.ofSeconds(30)).heartbeat())
        .isEqualTo(Duration.ofSeconds(10));
    assertThat(AgentSettings.defaults("a", "ns").withHeartbeat(Duration.ofSeconds(1))
        .withLeaseDuration(Duration.ofSeconds(30)).heartbeat()).isEqualTo(Duration.ofSeconds(1));
    assertThat(AgentSettings.defaults("a", "ns").withLeaseDuration(null).leaseDuration())
        .isEqualTo(AgentSettings.DEFAULT_LEASE_DURATION);
  }

  @Test
  void leaseDurationSecondsRoundUp() {
    assertThat(AgentSettings.defaults("a", "ns").withLeaseDuration(Duration.ofMillis(1500)).leaseDurationSeconds())
        .isEqualTo(2);
  }

  @Test
  void invalidTimingsAreRefused() {
    AgentSettings s = AgentSettings.defaults("a", "ns");
    assertThatThrownBy(() -> s.withLeaseDuration(Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("leaseDuration");
    assertThatThrownBy(() -> s.withHeartbeat(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat");
    assertThatThrownBy(() -> s.withHeartbeat(Duration.ofSeconds(15)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat");
  }
}

package io.cacheplane.api.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentLeasesTest {

  private static final AgentReport REPORT = new AgentReport("agent-a", List.of(
      new AgentReport.PolicyReport("CachePolicy", "pages", "u-1", 3L, "0123456789abcdef", AgentReport.APPLIED,
          null, null, null, new AgentReport.Counters("0123456789abcdef", 10, 1, 0)),
      new AgentReport.PolicyReport("RoutePolicy", "shop", "u-2", 4L, null, AgentReport.REJECTED,
          "fedcba9876543210", "RevisionMismatch", "revision does not match", null)));

  @Test
  void encodingIsCompactStableAndRoundTrips() {
    String json = AgentLeases.encode(REPORT);
    assertThat(json).startsWith("{\"agent\":\"agent-a\",\"policies\":[{\"kind\":\"CachePolicy\"").doesNotContain("\": ", ", \"", "null");
    assertThat(AgentLeases.encode(REPORT)).isEqualTo(json);
    assertThat(AgentLeases.decode(json)).isEqualTo(REPORT);
  }

  @Test
  void garbageIsNotAReport() {
    assertThat(AgentLeases.decode(null)).isNull();
    assertThat(AgentLeases.decode("")).isNull();
    assertThat(AgentLeases.decode("{not json")).isNull();
    assertThat(AgentLeases.decode("{\"policies\":[]}")).as("no agent id").isNull();
    assertThat(AgentLeases.decode("{\"agent\":\"a\"}").policies()).isEmpty();
    assertThat(AgentLeases.decode("x".repeat(AgentLeases.MAX_REPORT_BYTES + 1))).isNull();
  }

  @Test
  void anOversizedReportFailsLoudly() {
    List<AgentReport.PolicyReport> many = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      many.add(new AgentReport.PolicyReport("CachePolicy", "policy-" + i, "uid-" + i, 1L, "0123456789abcdef",
          AgentReport.APPLIED, null, null, null, null));
    }
    assertThatThrownBy(() -> AgentLeases.encode(new AgentReport("a", many)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("exceeds the limit");
  }

  @Test
  void leaseNamesFollowThePodName() {
    assertThat(AgentLeases.leaseName("agent-7f9c")).isEqualTo("cacheplane-agent-agent-7f9c");
    assertThat(AgentLeases.leaseName("p".repeat(300))).hasSize(253).matches(".*-[0-9a-f]{10}$");
  }
}

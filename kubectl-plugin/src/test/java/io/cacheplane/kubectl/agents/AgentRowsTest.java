package io.cacheplane.kubectl.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentRowsTest {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

  private static Lease lease(String name, String holder, Instant renewed, Integer seconds, String report) {
    Map<String, String> annotations = new HashMap<>();
    if (report != null) {
      annotations.put(AgentLeases.REPORT_ANNOTATION, report);
    }
    return new LeaseBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
        .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds)
        .withRenewTime(renewed == null ? null : renewed.atZone(ZoneOffset.UTC)).endSpec().build();
  }

  private static String report(String agent, PolicyReport... policies) {
    return AgentLeases.encode(new AgentReport(agent, List.of(policies)));
  }

  private static PolicyReport applied(String kind, String name, String revision) {
    return new PolicyReport(kind, name, "uid", 1L, revision, AgentReport.APPLIED, null, null, null, null);
  }

  @Test
  void oneRowPerAgentAndPolicySortedWithLivenessAndRejections() {
    List<Lease> leases = List.of(
        lease("cacheplane-agent-web-2", "web-2", NOW.minusSeconds(600), 15, report("web-2",
            new PolicyReport("CachePolicy", "pages", "uid", 4L, "aaaaaaaaaaaaaaaa", AgentReport.REJECTED,
                "bbbbbbbbbbbbbbbb", "InvalidSpec", "spec.cache.maximumSize: must be at least 1", null))),
        lease("cacheplane-agent-web-1", "web-1", NOW.minusSeconds(3), 15, report("web-1",
            applied("RoutePolicy", "shop", "cccccccccccccccc"), applied("CachePolicy", "pages", "bbbbbbbbbbbbbbbb"))));

    assertThat(AgentRows.lines(leases, NOW)).containsExactly(
        "AGENT   LIVENESS   RENEWED               POLICY              REVISION           STATE      REASON",
        "web-1   Live       3s ago (lease 15s)    cachepolicy/pages   bbbbbbbbbbbbbbbb   Applied    -",
        "web-1   Live       3s ago (lease 15s)    routepolicy/shop    cccccccccccccccc   Applied    -",
        "web-2   Stale      10m ago (lease 15s)   cachepolicy/pages   aaaaaaaaaaaaaaaa   Rejected   InvalidSpec"
            + " (revision bbbbbbbbbbbbbbbb): spec.cache.maximumSize: must be at least 1");
  }

  @Test
  void leasesWithoutAUsableReportStillShowTheAgent() {
    List<Lease> leases = List.of(
        lease("cacheplane-agent-broken", null, NOW, 15, "{not json"),
        lease("cacheplane-agent-idle", "idle", NOW, 15, report("idle")),
        lease("cacheplane-agent-new", null, null, null, null));
    assertThat(AgentRows.lines(leases, NOW)).containsExactly(
        "AGENT    LIVENESS   RENEWED              POLICY   REVISION   STATE   REASON",
        "broken   Live       0s ago (lease 15s)   -        -          -       no readable report",
        "idle     Live       0s ago (lease 15s)   -        -          -       -",
        "new      Unknown    -                    -        -          -       no readable report");
  }

  @Test
  void hostileReportTextIsSanitized() {
    List<Lease> leases = List.of(lease("cacheplane-agent-x", "x", NOW, 15, report("x\u001b[2J",
        new PolicyReport("CachePolicy", "p", "u", 1L, "r", AgentReport.REJECTED, null, "Bad\u001b[31m", "m\nm",
            null))));
    String table = String.join("\n", AgentRows.lines(leases, NOW));
    assertThat(table).doesNotContain("\u001b").contains("x?[2J").contains("Bad?[31m: m?m");
  }
}

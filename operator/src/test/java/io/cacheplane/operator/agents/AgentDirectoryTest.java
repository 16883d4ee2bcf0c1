package io.cacheplane.operator.agents;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.operator.rollout.AgentView;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AgentDirectoryTest {

  private static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");
  private final AtomicReference<Instant> now = new AtomicReference<>(T0);
  private final Clock clock = new Clock() {
    @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
    @Override public Clock withZone(java.time.ZoneId zone) { return this; }
    @Override public Instant instant() { return now.get(); }
  };
  private final LeaseLiveness liveness = new LeaseLiveness(clock);
  private final Set<String> pods = new java.util.HashSet<>(Set.of("a", "b", "c"));
  private final AgentDirectory directory = new AgentDirectory(liveness, (ns, name, uid) -> pods.contains(name));

  static Lease lease(String pod, String rv, String app, String schema, AgentReport report) {
    LeaseBuilder b = new LeaseBuilder().withNewMetadata().withNamespace("shop").withName(AgentLeases.leaseName(pod))
        .withResourceVersion(rv).addToLabels("app", app).addToLabels(AgentLeases.AGENT_LABEL, "true")
        .addNewOwnerReference().withKind("Pod").withName(pod).withUid("uid-" + pod).endOwnerReference()
        .endMetadata().withNewSpec().withLeaseDurationSeconds(10).endSpec();
    Lease l = b.build();
    if (schema != null) {
      l.getMetadata().getAnnotations().put(AgentLeases.SCHEMA_VERSIONS_ANNOTATION, schema);
    }
    if (report != null) {
      l.getMetadata().getAnnotations().put(AgentLeases.REPORT_ANNOTATION, AgentLeases.encode(report));
    }
    return l;
  }

  static AgentReport report(String agent, String uid, String revision) {
    return new AgentReport(agent, List.of(new AgentReport.PolicyReport("CachePolicy", "pages", uid, 3L, revision,
        AgentReport.APPLIED, null, null, null, null)));
  }

  private AgentDirectory.Agents agents(List<Lease> leases) {
    return directory.forPolicy(leases, "CachePolicy", "pages", "p-uid",
        new LabelSelectorBuilder().addToMatchLabels("app", "agent").build(), now.get());
  }

  @Test
  void matchedLiveAgentsWithTheirReportForThePolicy() {
    AgentDirectory.Agents a = agents(List.of(lease("a", "1", "agent", "1", report("a", "p-uid", "r1")),
        lease("b", "1", "other", "1", report("b", "p-uid", "r1")),
        lease("c", "1", "agent", "1", report("c", "another-policy", "r9"))));
    assertThat(a.live()).extracting(AgentView::agent).containsExactly("a", "c");
    assertThat(a.live()).extracting(AgentView::revision).containsExactly("r1", null);
    assertThat(a.outdated()).isEmpty();
    assertThat(a.nextExpiry()).isEqualTo(T0.plusSeconds(10));
  }

  @Test
  void aLeaseWhosePodDoesNotExistIsIgnored() {
    pods.remove("a");
    assertThat(agents(List.of(lease("a", "1", "agent", "1", null))).live()).isEmpty();
  }

  @Test
  void livenessIsJudgedByTheOperatorsClockFromTheLastChangeSeen() {
    Lease v1 = lease("a", "1", "agent", "1", null);
    assertThat(agents(List.of(v1)).live()).hasSize(1);
    now.set(T0.plusSeconds(11));
    AgentDirectory.Agents expired = agents(List.of(v1));
    assertThat(expired.live()).isEmpty();
    assertThat(expired.stale()).isEqualTo(1);
    liveness.observe(lease("a", "2", "agent", "1", null)); // renewed (a new resourceVersion) just now
    assertThat(agents(List.of(lease("a", "2", "agent", "1", null))).live()).hasSize(1);
  }

  @Test
  void anAgentWithoutSchemaVersion1IsOutdated() {
    AgentDirectory.Agents a = agents(List.of(lease("a", "1", "agent", "2", null), lease("b", "1", "agent", null, null),
        lease("c", "1", "agent", "2, 1", null)));
    assertThat(a.outdated()).as("no annotation at all is outdated too").containsExactly("a", "b");
    assertThat(a.live()).hasSize(3);
    assertThat(AgentDirectory.supportsSchema(null)).isFalse();
  }

  @Test
  void unknownLeasesCountAsSeenNowAtStart() {
    now.set(T0.plus(Duration.ofHours(5)));
    assertThat(agents(List.of(lease("b", "7", "agent", "1", null))).live()).hasSize(1);
  }
}

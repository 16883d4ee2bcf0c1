package io.cacheplane.kubectl.agents;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import io.cacheplane.kubectl.text.Table;
import io.cacheplane.kubectl.text.Text;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The table of {@code kubectl cacheplane agents}: one row per agent and policy it reports (one row with {@code -}
 * for an agent without policies or with an unreadable report), sorted by agent, then kind and name. A pure function
 * of the Leases and the time now.
 */
public final class AgentRows {

  /** Column headers. */
  public static final List<String> HEADERS = List.of("AGENT", "LIVENESS", "RENEWED", "POLICY", "REVISION", "STATE",
      "REASON");

  private AgentRows() {}

  /**
   * The table's lines.
   *
   * @param leases agent Leases (any order; Leases without a Cacheplane report are shown with {@code -})
   * @param now this machine's time, for liveness ({@link Liveness}) and the RENEWED age
   */
  public static List<String> lines(List<Lease> leases, Instant now) {
    List<Lease> sorted = new ArrayList<>(leases);
    sorted.sort(Comparator.comparing(AgentRows::agentId));
    List<List<String>> rows = new ArrayList<>();
    for (Lease lease : sorted) {
      LeaseSpec spec = lease.getSpec();
      Instant renewed = spec == null ? null : instant(spec.getRenewTime());
      Integer duration = spec == null ? null : spec.getLeaseDurationSeconds();
      Liveness liveness = Liveness.of(renewed, duration, now);
      String agent = Text.safe(agentId(lease), 253);
      String live = liveness == Liveness.STALE ? "Stale" : liveness == Liveness.LIVE ? "Live" : "Unknown";
      String ago = renewed == null ? "-" : Text.age(Duration.between(renewed, now)) + " ago"
          + (duration == null ? "" : " (lease " + duration + "s)");
      AgentReport report = AgentLeases.decode(annotation(lease));
      if (report == null || report.policies().isEmpty()) {
        rows.add(List.of(agent, live, ago, "-", "-", "-", report == null ? "no readable report" : "-"));
        continue;
      }
      List<PolicyReport> policies = new ArrayList<>(report.policies());
      policies.removeIf(p -> p == null);
      policies.sort(Comparator.comparing((PolicyReport p) -> String.valueOf(p.kind()))
          .thenComparing(p -> String.valueOf(p.name())));
      for (PolicyReport p : policies) {
        rows.add(List.of(agent, live, ago, policy(p), Text.safe(p.revision(), 64), Text.safe(p.state(), 32),
            reason(p)));
      }
    }
    return Table.lines(HEADERS, rows);
  }

  /** The agent's id: the report's {@code agent}, else {@code spec.holderIdentity}, else the Lease name. */
  static String agentId(Lease lease) {
    AgentReport report = AgentLeases.decode(annotation(lease));
    if (report != null && report.agent() != null) {
      return report.agent();
    }
    if (lease.getSpec() != null && lease.getSpec().getHolderIdentity() != null) {
      return lease.getSpec().getHolderIdentity();
    }
    String name = lease.getMetadata() == null || lease.getMetadata().getName() == null ? "-"
        : lease.getMetadata().getName();
    return name.startsWith(AgentLeases.NAME_PREFIX) ? name.substring(AgentLeases.NAME_PREFIX.length()) : name;
  }

  private static String annotation(Lease lease) {
    return lease.getMetadata() == null || lease.getMetadata().getAnnotations() == null ? null
        : lease.getMetadata().getAnnotations().get(AgentLeases.REPORT_ANNOTATION);
  }

  private static String policy(PolicyReport p) {
    return (p.kind() == null ? "?" : Text.safe(p.kind(), 32).toLowerCase(Locale.ROOT)) + "/" + Text.safe(p.name(), 253);
  }

  private static String reason(PolicyReport p) {
    if (!AgentReport.REJECTED.equals(p.state())) {
      return "-";
    }
    return Text.safe(p.reason(), 64)
        + (p.rejectedRevision() == null ? "" : " (revision " + Text.safe(p.rejectedRevision(), 64) + ")")
        + (p.message() == null ? "" : ": " + Text.safe(p.message(), AgentLeases.MAX_MESSAGE));
  }

  private static Instant instant(ZonedDateTime microTime) {
    return microTime == null ? null : microTime.toInstant();
  }
}

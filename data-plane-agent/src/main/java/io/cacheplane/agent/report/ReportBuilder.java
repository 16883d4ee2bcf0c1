package io.cacheplane.agent.report;

import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.Counters;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Builds the agent's ACK/NACK report ({@link AgentReport}) from the applier's states and the request counters: a
 * pure function (no I/O, no clock), so the same inputs always give the same report and thus, through
 * {@link AgentLeases#encode}, byte-identical annotation text.
 *
 * <p>Per policy the agent knows and is selected for (one {@link PolicyState}), sorted by kind then name:
 * <ul>
 *   <li>{@code kind}, {@code name}, {@code uid}; {@code sequence} of the last envelope read (omitted when none could
 *       be read);
 *   <li>{@code revision}: the revision serving now, omitted when none;
 *   <li>{@code state}: {@link AgentReport#APPLIED} or {@link AgentReport#REJECTED}; for a rejection also
 *       {@code rejectedRevision} (when known), {@code reason} and {@code message} (cut to
 *       {@link AgentLeases#MAX_MESSAGE} characters, ending in {@value #ELLIPSIS} when cut);
 *   <li>{@code counters}: only when the policy is under analysis (its last envelope has a canary section) and a
 *       revision serves; the counts of that revision, zero when none were recorded yet.
 * </ul>
 */
public final class ReportBuilder {

  /** What a cut message ends with. */
  public static final String ELLIPSIS = "...";

  private static final Comparator<PolicyState> ORDER = Comparator
      .comparing(PolicyState::kind, Comparator.nullsFirst(Comparator.naturalOrder()))
      .thenComparing(PolicyState::name, Comparator.nullsFirst(Comparator.naturalOrder()));

  /** Where the builder reads counters. */
  @FunctionalInterface
  public interface CounterSource {
    /**
     * @return the cumulative counters of {@code revision} of the policy, or {@code null} when none are kept for it
     */
    Counters read(String kind, String name, String revision);

    /** No counters at all. */
    CounterSource NONE = (kind, name, revision) -> null;
  }

  private ReportBuilder() {}

  /**
   * @param agentId the agent id (its pod name)
   * @param states the applier's states (any order)
   * @param counters the request counters ({@link RevisionCounters#read})
   * @return the report, its policies sorted by kind then name
   */
  public static AgentReport build(String agentId, List<PolicyState> states, CounterSource counters) {
    Objects.requireNonNull(agentId, "agentId");
    List<PolicyState> sorted = new ArrayList<>(states);
    sorted.sort(ORDER);
    List<PolicyReport> policies = new ArrayList<>(sorted.size());
    for (PolicyState s : sorted) {
      policies.add(policy(s, counters));
    }
    return new AgentReport(agentId, List.copyOf(policies));
  }

  static PolicyReport policy(PolicyState s, CounterSource counters) {
    boolean rejected = s.state() == PolicyState.State.Rejected;
    Counters c = null;
    if (s.underAnalysis() && s.appliedRevision() != null) {
      c = counters.read(s.kind(), s.name(), s.appliedRevision());
      if (c == null || !s.appliedRevision().equals(c.revision())) {
        c = new Counters(s.appliedRevision(), 0, 0, 0);
      }
    }
    return new PolicyReport(
        s.kind(),
        s.name(),
        s.uid(),
        s.sequence() < 0 ? null : s.sequence(),
        s.appliedRevision(),
        rejected ? AgentReport.REJECTED : AgentReport.APPLIED,
        rejected ? s.rejectedRevision() : null,
        rejected ? s.reason() : null,
        rejected ? cut(s.message(), AgentLeases.MAX_MESSAGE) : null,
        c);
  }

  /**
   * Cuts {@code text} to at most {@code max} characters, ending in {@value #ELLIPSIS} when cut, never between the two
   * halves of a surrogate pair.
   *
   * @return {@code text} itself when short enough; {@code null} for {@code null}
   */
  public static String cut(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    int end = Math.max(0, max - ELLIPSIS.length());
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + ELLIPSIS;
  }
}

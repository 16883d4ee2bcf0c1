package io.cacheplane.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.PolicyState.Track;
import io.cacheplane.agent.config.Reasons;
import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.Counters;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The report builder, table-driven: one {@link PolicyState} (+ counters) in, one {@link PolicyReport} out. */
class ReportBuilderTest {

  private static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;
  private static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;
  private static final String OLD = "aaaaaaaaaaaaaaaa";
  private static final String NEW = "bbbbbbbbbbbbbbbb";

  /** Counters kept for RoutePolicy shop @ OLD and CachePolicy pages @ NEW. */
  private static final ReportBuilder.CounterSource COUNTERS = (kind, name, revision) -> {
    Map<String, Counters> kept = Map.of(
        ROUTE + "/shop", new Counters(OLD, 10, 2, 1),
        CACHE + "/pages", new Counters(NEW, 7, 0, 0));
    Counters c = kept.get(kind + "/" + name);
    return c != null && c.revision().equals(revision) ? c : null;
  };

  private static PolicyState applied(String kind, String name, String revision, Track track, boolean analysis) {
    return new PolicyState(kind, name, "uid-" + name, 3, revision, track, State.Applied, null, null, null, analysis);
  }

  private static PolicyState rejected(String kind, String name, long sequence, String serving, String refused,
      String reason, String message, boolean analysis) {
    return new PolicyState(kind, name, "uid-" + name, sequence, serving, serving == null ? null : Track.stable,
        State.Rejected, reason, message, refused, analysis);
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of("applied, no rollout: no counters",
            applied(ROUTE, "shop", OLD, Track.stable, false),
            new PolicyReport(ROUTE, "shop", "uid-shop", 3L, OLD, AgentReport.APPLIED, null, null, null, null)),
        Arguments.of("rejected, the previous revision still serving",
            rejected(ROUTE, "shop", 4, OLD, NEW, Reasons.REVISION_MISMATCH, "stable: revision does not match", false),
            new PolicyReport(ROUTE, "shop", "uid-shop", 4L, OLD, AgentReport.REJECTED, NEW, Reasons.REVISION_MISMATCH,
                "stable: revision does not match", null)),
        Arguments.of("rejected new policy: nothing serving",
            rejected(CACHE, "fresh", 1, null, NEW, Reasons.INVALID_SPEC, "spec.cache.maximumSize: must be > 0", false),
            new PolicyReport(CACHE, "fresh", "uid-fresh", 1L, null, AgentReport.REJECTED, NEW, Reasons.INVALID_SPEC,
                "spec.cache.maximumSize: must be > 0", null)),
        Arguments.of("unreadable envelope: no sequence, no refused revision",
            rejected(CACHE, "broken", -1, null, null, Reasons.MALFORMED_ENVELOPE, "not a valid envelope", false),
            new PolicyReport(CACHE, "broken", "uid-broken", null, null, AgentReport.REJECTED, null,
                Reasons.MALFORMED_ENVELOPE, "not a valid envelope", null)),
        Arguments.of("under analysis, canary agent: counters of the serving revision",
            applied(ROUTE, "shop", OLD, Track.canary, true),
            new PolicyReport(ROUTE, "shop", "uid-shop", 3L, OLD, AgentReport.APPLIED, null, null, null,
                new Counters(OLD, 10, 2, 1))),
        Arguments.of("under analysis, stable agent: counters too (the operator compares both)",
            applied(CACHE, "pages", NEW, Track.stable, true),
            new PolicyReport(CACHE, "pages", "uid-pages", 3L, NEW, AgentReport.APPLIED, null, null, null,
                new Counters(NEW, 7, 0, 0))),
        Arguments.of("counters kept for another revision (changed since): zeros for the serving one",
            applied(ROUTE, "shop", NEW, Track.canary, true),
            new PolicyReport(ROUTE, "shop", "uid-shop", 3L, NEW, AgentReport.APPLIED, null, null, null,
                new Counters(NEW, 0, 0, 0))),
        Arguments.of("under analysis, no counters recorded yet: zeros",
            applied(ROUTE, "other", NEW, Track.canary, true),
            new PolicyReport(ROUTE, "other", "uid-other", 3L, NEW, AgentReport.APPLIED, null, null, null,
                new Counters(NEW, 0, 0, 0))),
        Arguments.of("counters kept but no rollout: none reported",
            applied(ROUTE, "shop", OLD, Track.stable, false),
            new PolicyReport(ROUTE, "shop", "uid-shop", 3L, OLD, AgentReport.APPLIED, null, null, null, null)),
        Arguments.of("rejected canary while under analysis: counters of what still serves",
            rejected(ROUTE, "shop", 5, OLD, NEW, Reasons.APPLY_FAILED, "route x: unknown service", true),
            new PolicyReport(ROUTE, "shop", "uid-shop", 5L, OLD, AgentReport.REJECTED, NEW, Reasons.APPLY_FAILED,
                "route x: unknown service", new Counters(OLD, 10, 2, 1))),
        Arguments.of("rejected new policy under analysis: nothing serves, no counters",
            rejected(ROUTE, "fresh", 1, null, NEW, Reasons.INVALID_SPEC, "bad", true),
            new PolicyReport(ROUTE, "fresh", "uid-fresh", 1L, null, AgentReport.REJECTED, NEW, Reasons.INVALID_SPEC,
                "bad", null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void onePolicy(String name, PolicyState state, PolicyReport expected) {
    AgentReport report = ReportBuilder.build("agent-0", List.of(state), COUNTERS);
    assertThat(report.agent()).isEqualTo("agent-0");
    assertThat(report.policies()).containsExactly(expected);
    assertThat(AgentLeases.decode(AgentLeases.encode(report))).as("survives the wire").isEqualTo(report);
  }

  @Test
  void policiesAreSortedByKindThenName() {
    List<PolicyState> states = List.of(
        applied(ROUTE, "b", OLD, Track.stable, false),
        applied(CACHE, "z", OLD, Track.stable, false),
        applied(ROUTE, "a", OLD, Track.stable, false),
        applied(CACHE, "c", OLD, Track.stable, false));
    assertThat(ReportBuilder.build("agent-0", states, COUNTERS).policies())
        .extracting(p -> p.kind() + "/" + p.name())
        .containsExactly("CachePolicy/c", "CachePolicy/z", "RoutePolicy/a", "RoutePolicy/b");
    assertThat(ReportBuilder.build("agent-0", List.of(), COUNTERS).policies()).isEmpty();
  }

  @Test
  void longMessagesAreCutToTheContractLimit() {
    String message = "x".repeat(AgentLeases.MAX_MESSAGE * 4);
    PolicyReport p = ReportBuilder.build("agent-0",
        List.of(rejected(ROUTE, "shop", 2, OLD, NEW, Reasons.INVALID_SPEC, message, false)), COUNTERS).policies().get(0);
    assertThat(p.message()).hasSize(AgentLeases.MAX_MESSAGE).endsWith(ReportBuilder.ELLIPSIS)
        .startsWith("x".repeat(AgentLeases.MAX_MESSAGE - ReportBuilder.ELLIPSIS.length()));

    String exact = "y".repeat(AgentLeases.MAX_MESSAGE);
    assertThat(ReportBuilder.cut(exact, AgentLeases.MAX_MESSAGE)).isSameAs(exact);
    assertThat(ReportBuilder.cut(null, AgentLeases.MAX_MESSAGE)).isNull();
    // never split a surrogate pair: 252 x then emoji (2 chars) would be cut between its halves at 253
    String emoji = "x".repeat(252) + "\uD83D\uDE00" + "tail";
    String cut = ReportBuilder.cut(emoji, AgentLeases.MAX_MESSAGE);
    assertThat(cut).hasSizeLessThanOrEqualTo(AgentLeases.MAX_MESSAGE).endsWith("x" + ReportBuilder.ELLIPSIS);
  }

  @Test
  void sameInputSameText() {
    List<PolicyState> states = List.of(applied(ROUTE, "shop", OLD, Track.canary, true),
        rejected(CACHE, "pages", 2, null, NEW, Reasons.INVALID_SPEC, "bad", false));
    String first = AgentLeases.encode(ReportBuilder.build("agent-0", states, COUNTERS));
    String second = AgentLeases.encode(ReportBuilder.build("agent-0", List.of(states.get(1), states.get(0)), COUNTERS));
    assertThat(second).isEqualTo(first);
  }
}

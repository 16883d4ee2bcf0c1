package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static io.cacheplane.faults.Fixtures.SHOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.e2e.LogCapture;
import io.cacheplane.local.LocalCluster;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hostile policy ConfigMaps written straight to the agents (bypassing the operator), while traffic runs. The target
 * is a hand-made RoutePolicy ConfigMap {@value #HAND} (labelled as the operator's, without owner or uid, so neither
 * the operator nor its orphan collector touches it): each hostile write must be rejected by every agent, with the
 * reason in its Lease report, while the previous revision keeps serving and the operator's policies are unaffected.
 */
class HostileConfigMapIT {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(5000);

  static final String NS = "hostile";
  static final String HAND = "hand";
  static final Duration CONVERGE = Duration.ofSeconds(20);

  static LocalCluster cluster;
  static final List<Agent> agents = new ArrayList<>();
  static final String uid = UUID.randomUUID().toString();
  static RoutePolicySpec spec;
  static PublishedRevision revision;
  static long sequence;

  @BeforeAll
  static void startTwoAgentsWithTheOperatorsPoliciesAndAHandMadeOne() {
    cluster = LocalCluster.startWithoutAgents(NS);
    agents.add(cluster.startAgent("agent-a"));
    agents.add(cluster.startAgent("agent-b"));
    Fixtures.apply(cluster.client(), NS, Fixtures.pages(1000));
    Fixtures.apply(cluster.client(), NS, Fixtures.shop());
    for (String[] p : new String[][] {{CACHE, PAGES}, {ROUTE, SHOP}}) {
      Fixtures.awaitServing(agents, p[0], p[1], Fixtures.awaitStable(cluster.client(), NS, p[0], p[1], CONVERGE),
          CONVERGE);
    }
    spec = Fixtures.routes(HAND, Duration.ofSeconds(2), null, "/api/hand", "hand").getSpec();
    revision = EnvelopeCodec.publish(spec, 1, null);
    writeValid();
    Fixtures.awaitServing(agents, ROUTE, HAND, revision.revision(), CONVERGE);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The hand-made envelope, valid, with the next sequence. */
  static String valid() {
    return EnvelopeCodec.encode(new Envelope(Envelope.SCHEMA_VERSION, ROUTE, HAND, uid, ++sequence,
        spec.getAgentSelector(), revision, null));
  }

  static void write(String envelope) {
    Map<String, String> labels = new HashMap<>(ConfigMapNames.labels(ROUTE, HAND, uid));
    labels.remove(CacheplaneApi.LABEL_POLICY_UID); // the orphan collector leaves uid-less ConfigMaps alone
    cluster.client().configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName(ConfigMapNames.configMapName(ROUTE, HAND)).withLabels(labels).endMetadata()
        .addToData(Envelope.DATA_KEY, envelope).build())
        .createOr(io.fabric8.kubernetes.client.dsl.NonDeletingOperation::update);
  }

  static void writeValid() {
    write(valid());
  }

  /**
   * Hostile variants of the envelope: name → (text from a fresh valid envelope with the next sequence, so that none
   * is merely an older sequence, acceptable reasons).
   */
  static Map<String, Map.Entry<UnaryOperator<String>, Set<String>>> variants() {
    Map<String, Map.Entry<UnaryOperator<String>, Set<String>>> v = new LinkedHashMap<>();
    v.put("tabs", Map.entry(good -> good.replace("\nkind:", "\n\tkind:"), Set.of("MalformedEnvelope")));
    v.put("truncated", Map.entry(good -> good.substring(0, good.length() * 2 / 3),
        Set.of("MalformedEnvelope", "RevisionMismatch", "InvalidSpec")));
    v.put("duplicate-keys", Map.entry(good -> good + "name: " + HAND + "-twin\n", Set.of("MalformedEnvelope")));
    v.put("blank-required", Map.entry(good -> good.replaceFirst("(?m)^name: \"?" + HAND + "\"?$", "name: \"\""),
        Set.of("MalformedEnvelope")));
    v.put("unknown-schemaVersion", Map.entry(good -> good.replace("schemaVersion: 1\n", "schemaVersion: 99\n"),
        Set.of("UnsupportedSchemaVersion")));
    v.put("spec-not-matching-revision", Map.entry(good -> {
      RoutePolicySpec other = Fixtures.routes(HAND, Duration.ofSeconds(3), null, "/api/other", "hand").getSpec();
      PublishedRevision forged = new PublishedRevision(revision.revision(), 2L,
          EnvelopeCodec.publish(other, 2, null).spec(), null);
      return EnvelopeCodec.encode(new Envelope(Envelope.SCHEMA_VERSION, ROUTE, HAND, uid, ++sequence,
          spec.getAgentSelector(), forged, null));
    }, Set.of("RevisionMismatch")));
    v.put("huge-value", Map.entry(good -> good + "padding: \"" + "x".repeat(Json.MAX_DOCUMENT_CODE_POINTS + 1024)
        + "\"\n", Set.of("MalformedEnvelope")));
    return v;
  }

  @Test
  void everyHostileConfigMapIsRejectedWithItsReasonWhileThePreviousRevisionKeepsServing() {
    Traffic traffic = Traffic.start(agents.stream().map(Agent::trafficPort).toList(),
        n -> n % 2 == 0 ? "/api/hand/n" + n : OutageDrill.HOT, () -> agents.stream().allMatch(Agent::ready), 2, 50);
    Map<String, String> reasons = new LinkedHashMap<>();
    try {
      for (var variant : variants().entrySet()) {
        String name = variant.getKey();
        write(variant.getValue().getKey().apply(valid()));
        Set<String> expected = variant.getValue().getValue();
        await(name + ": rejected by every agent, reason in its Lease").atMost(CONVERGE).pollInterval(Fixtures.POLL)
            .ignoreExceptions().untilAsserted(() -> {
              for (Agent a : agents) {
                PolicyState s = Fixtures.state(a, ROUTE, HAND);
                assertThat(s.state()).isEqualTo(PolicyState.State.Rejected);
                assertThat(s.reason()).isIn(expected);
                assertThat(s.appliedRevision()).as("previous revision kept").isEqualTo(revision.revision());
                AgentReport.PolicyReport r = Fixtures.leaseReport(cluster.client(), NS, a).policies().stream()
                    .filter(p -> HAND.equals(p.name())).findFirst().orElseThrow();
                assertThat(r.state()).isEqualTo(AgentReport.REJECTED);
                assertThat(r.reason()).isEqualTo(s.reason());
                assertThat(r.revision()).isEqualTo(revision.revision());
              }
            });
        reasons.put(name, Fixtures.state(agents.get(0), ROUTE, HAND).reason());
        for (Agent a : agents) {
          assertThat(Fixtures.get(a, "/api/hand/x").statusCode()).as(name + ": still served").isEqualTo(200);
          assertThat(Fixtures.state(a, ROUTE, SHOP).state()).as("other policies").isEqualTo(PolicyState.State.Applied);
          assertThat(Fixtures.state(a, CACHE, PAGES).state()).isEqualTo(PolicyState.State.Applied);
        }
        writeValid(); // back to a good envelope, so the next rejection is visible as a change
        await(name + ": a valid envelope is taken again").atMost(CONVERGE).pollInterval(Fixtures.POLL)
            .until(() -> agents.stream().allMatch(a -> Fixtures.state(a, ROUTE, HAND).state()
                == PolicyState.State.Applied));
      }
    } finally {
      traffic.stop();
    }
    Traffic.Snapshot total = traffic.snapshot();
    assertThat(total.failed()).as(total.failures().toString()).isZero();
    assertThat(total.answered()).isEqualTo(total.sent()).isPositive();
    ScenarioSummary.of("hostile-configmaps").put("agents", agents.size()).traffic(total)
        .put("rejected", reasons.size() + "/" + reasons.size()).put("reasons", reasons.toString().replace(" ", ""))
        .put("previousRevisionServed", "yes").print();
  }

  @Test
  void aCatastrophicallyBacktrackingRegexAnswersLikeAnyOther() {
    RoutePolicy regex = Fixtures.routes("regex", Duration.ofSeconds(2), null, "/api/re", "hand");
    regex.getSpec().getRoutes().get(0).getMatch().setPathPrefix(null);
    regex.getSpec().getRoutes().get(0).getMatch().setPathRegex("^/api/re/(a+)+$");
    Fixtures.apply(cluster.client(), NS, regex);
    Fixtures.awaitServing(agents, ROUTE, "regex", Fixtures.awaitStable(cluster.client(), NS, ROUTE, "regex", CONVERGE),
        CONVERGE);
    String evil = "/api/re/" + "a".repeat(2000) + "!";
    for (Agent a : agents) {
      HttpResponse<String> miss = Fixtures.get(a, evil);
      assertThat(miss.statusCode()).as("no match, answered (RE2: linear time)").isEqualTo(404);
      assertThat(Fixtures.get(a, "/api/re/" + "a".repeat(2000)).statusCode()).as("a match").isEqualTo(200);
    }
    ScenarioSummary.of("regex-backtracking").put("pattern", "^/api/re/(a+)+$").put("input", "a*2000+!")
        .put("answer", 404).print();
  }
}

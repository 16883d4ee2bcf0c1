package io.cacheplane.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.cache.CacheRegistry;
import io.cacheplane.agent.config.PolicyApplier;
import io.cacheplane.agent.config.Reasons;
import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.RouteTable;
import io.cacheplane.agent.testing.FakeTicker;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The applier with a real state directory: what is in force is what is on disk, and back. */
class LastKnownGoodTest {

  private static final String NS = "ns";
  private static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;

  @TempDir
  Path dir;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AgentMetrics metrics = new AgentMetrics(registry);

  /** A fresh agent's applier and LKG on {@code stateDir}. */
  private record Agent(PolicyApplier applier, LastKnownGood lkg) {}

  private Agent agent(Path stateDir, Map<String, String> labels) {
    LastKnownGood lkg = new LastKnownGood(new EnvelopeStore(stateDir), metrics, NS);
    PolicyApplier applier = new PolicyApplier("agent-0", labels, BackendResolver.clusterDns(NS),
        new CacheRegistry(new FakeTicker(), metrics), metrics, new AtomicReference<>(RouteTable.EMPTY), null, lkg);
    return new Agent(applier, lkg);
  }

  private static CachePolicySpec spec(long maximumSize) {
    return Policies.cachePolicy(maximumSize, "5m", null, null);
  }

  private static ConfigMap pages(String uid, long sequence, CachePolicySpec spec) {
    return Policies.configMap(NS, Policies.stable(CACHE, "pages", uid, sequence, spec));
  }

  private Path file(String uid) {
    return dir.resolve(EnvelopeStore.fileName(CACHE, uid));
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private double count(String meter) {
    Counter c = registry.find(meter).counter();
    return c == null ? 0 : registry.find(meter).counters().stream().mapToDouble(Counter::count).sum();
  }

  @Test
  void appliedEnvelopesAreWrittenAndReadBackAsTheSameConfigMaps() throws Exception {
    Agent a = agent(dir, Map.of());
    ConfigMap cm = pages("uid-p", 3, spec(100));
    a.applier().upsert(cm);
    assertThat(files()).containsExactly(file("uid-p").getFileName().toString());

    List<ConfigMap> loaded = agent(dir, Map.of()).lkg().load();
    assertThat(loaded).singleElement().satisfies(l -> {
      assertThat(l.getMetadata().getName()).isEqualTo(ConfigMapNames.configMapName(CACHE, "pages"));
      assertThat(l.getMetadata().getNamespace()).isEqualTo(NS);
      assertThat(l.getMetadata().getLabels()).isEqualTo(cm.getMetadata().getLabels());
      assertThat(l.getData()).isEqualTo(cm.getData());
    });
  }

  @Test
  void aNewerSequenceReplacesTheFileAndRejectedOrOlderOnesDoNot() throws Exception {
    Agent a = agent(dir, Map.of());
    a.applier().upsert(pages("uid-p", 3, spec(100)));
    String applied3 = Files.readString(file("uid-p"));

    a.applier().upsert(pages("uid-p", 2, spec(200)));
    a.applier().upsert(Policies.configMap(NS, CACHE, "pages", "uid-p", "not: [yaml"));
    assertThat(a.applier().states()).extracting(PolicyState::reason).containsExactly(Reasons.MALFORMED_ENVELOPE);
    assertThat(Files.readString(file("uid-p"))).as("stale and rejected envelopes are not persisted")
        .isEqualTo(applied3);

    ConfigMap newer = pages("uid-p", 4, spec(300));
    a.applier().upsert(newer);
    assertThat(agent(dir, Map.of()).lkg().load()).extracting(c -> c.getData().get(Envelope.DATA_KEY))
        .containsExactly(newer.getData().get(Envelope.DATA_KEY));
  }

  @Test
  void deletedUnselectedAndRecreatedPoliciesLoseTheirFile() throws Exception {
    Agent a = agent(dir, Map.of("tier", "edge"));
    a.applier().upsert(pages("uid-p", 1, spec(100)));
    a.applier().upsert(pages("uid-q", 2, spec(100))); // deleted and recreated under the same name: a new uid
    assertThat(files()).containsExactly(file("uid-q").getFileName().toString());

    CachePolicySpec elsewhere = spec(100);
    elsewhere.setAgentSelector(new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "core")).build());
    a.applier().upsert(pages("uid-q", 3, elsewhere));
    assertThat(a.applier().states()).isEmpty();
    assertThat(files()).as("not for this agent any more").isEmpty();

    a.applier().upsert(pages("uid-q", 4, spec(100)));
    assertThat(files()).hasSize(1);
    a.applier().delete(pages("uid-q", 4, spec(100)));
    assertThat(files()).isEmpty();
  }

  @Test
  void loadedEnvelopesGoThroughTheApplierAndAreNotRewritten() throws Exception {
    agent(dir, Map.of()).applier().upsert(pages("uid-p", 5, spec(100)));

    Agent restarted = agent(dir, Map.of());
    List<ConfigMap> loaded = restarted.lkg().load();
    Files.delete(file("uid-p")); // so a rewrite would show
    loaded.forEach(restarted.applier()::upsert);
    assertThat(restarted.applier().states()).singleElement().satisfies(s -> {
      assertThat(s.state()).isEqualTo(State.Applied);
      assertThat(s.sequence()).isEqualTo(5);
    });
    assertThat(restarted.applier().knows(ConfigMapNames.configMapName(CACHE, "pages"))).isTrue();
    assertThat(file("uid-p")).as("content already on disk is not written again").doesNotExist();

    restarted.applier().upsert(pages("uid-p", 4, spec(999)));
    assertThat(restarted.applier().states()).extracting(PolicyState::sequence).as("older than the stored one")
        .containsExactly(5L);
  }

  @Test
  void writeFailuresAreCountedAndNeverFailTheApply() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "x");
    Agent a = agent(notADirectory.resolve("state"), Map.of());
    a.applier().upsert(pages("uid-p", 1, spec(100)));
    assertThat(a.applier().states()).extracting(PolicyState::state).containsExactly(State.Applied);
    assertThat(registry.get(AgentMetrics.STATE_WRITE_FAILURES).tag("operation", "write").counter().count())
        .isEqualTo(1);
    assertThat(a.lkg().load()).isEmpty();
  }

  @Test
  void skippedFilesAreCountedAndTheOthersStillLoad() throws Exception {
    agent(dir, Map.of()).applier().upsert(pages("uid-p", 1, spec(100)));
    Files.writeString(dir.resolve(EnvelopeStore.fileName(CACHE, "uid-broken")), "{\"truncated");
    Files.writeString(dir.resolve("README"), "hello");

    assertThat(agent(dir, Map.of()).lkg().load()).hasSize(1);
    assertThat(count(AgentMetrics.STATE_FILES_SKIPPED)).isEqualTo(2);
    assertThat(count(AgentMetrics.STATE_WRITE_FAILURES)).isZero();
  }
}

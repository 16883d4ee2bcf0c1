package io.cacheplane.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.HeaderMatch;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.Route;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.render.EnvelopeRenderer;
import io.cacheplane.operator.render.PolicyRef;
import io.cacheplane.operator.render.PublishedState;
import io.cacheplane.operator.rollout.AllAtOnceRollout;
import io.cacheplane.operator.status.Outcome.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PublishPlannerTest {

  private static final PolicyRef POLICY = new PolicyRef("CachePolicy", "shop", "pages", "uid-1");
  private static final int LIMIT = EnvelopeRenderer.MAX_ENVELOPE_BYTES;

  /** A ConfigMap as the operator would have published {@code spec} at {@code generation} and {@code sequence}. */
  static ConfigMap published(PolicySpec spec, long generation, long sequence) {
    ConfigMap cm = EnvelopeRenderer.render(POLICY, spec.getAgentSelector(), EnvelopeCodec.publish(spec, generation, null),
        null, sequence).configMap();
    return new ConfigMapBuilder(cm).editMetadata().withResourceVersion("100").endMetadata().build();
  }

  static PolicyStatus status(Long sequence, String revision) {
    PolicyStatus s = new PolicyStatus();
    s.setSequence(sequence);
    s.setStableRevision(revision);
    return s;
  }

  static PublishPlanner.Input input(PolicySpec spec, long generation, PolicyStatus status, ConfigMap existing) {
    List<Violation> violations = spec instanceof CachePolicySpec c ? PolicyValidator.validate(c)
        : PolicyValidator.validate((RoutePolicySpec) spec);
    return new PublishPlanner.Input(POLICY, generation, spec, status, existing, violations, List.of());
  }

  /** One row: what goes in, and the sequence written ({@code null}: nothing written) and reported. */
  record Row(String name, PublishPlanner.Input input, Long writtenSequence, long reportedSequence) {
    @Override public String toString() { return name; }
  }

  static Stream<Row> publishing() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    CachePolicySpec other = Fixtures.cacheSpec(200);
    CachePolicySpec stepsOnly = Fixtures.cacheSpec(100);
    RolloutStrategy rollout = new RolloutStrategy();
    RolloutStep step = new RolloutStep();
    step.setSetWeight(100);
    rollout.setSteps(List.of(step));
    stepsOnly.setRollout(rollout);
    ConfigMap at5 = published(spec, 2, 5);
    String hacked = "schemaVersion: 1\nkind: CachePolicy\nname: pages\nuid: uid-1\nsequence: %d\nstable:\n  revision: x\n";
    return Stream.of(
        new Row("new policy publishes sequence 1", input(spec, 1, null, null), 1L, 1),
        new Row("unchanged policy writes nothing", input(spec, 2, status(5L, "r"), at5), null, 5),
        new Row("lost status: continue from the ConfigMap, write nothing", input(spec, 2, null, at5), null, 5),
        new Row("status behind the ConfigMap: write nothing", input(spec, 2, status(3L, "r"), at5), null, 5),
        new Row("status ahead of the ConfigMap: publish above status", input(spec, 2, status(7L, "r"), at5), 8L, 8),
        new Row("new generation, same revision: publish", input(stepsOnly, 3, status(5L, "r"), at5), 6L, 6),
        new Row("new spec: publish next sequence", input(other, 3, status(5L, "r"), at5), 6L, 6),
        new Row("hand-edited envelope: repair with next sequence", input(spec, 2, status(5L, "r"),
            new ConfigMapBuilder(at5).withData(java.util.Map.of(Envelope.DATA_KEY, hacked.formatted(5))).build()), 6L, 6),
        new Row("hand-edited higher sequence: publish above it", input(spec, 2, status(5L, "r"),
            new ConfigMapBuilder(at5).withData(java.util.Map.of(Envelope.DATA_KEY, hacked.formatted(40))).build()), 41L, 41),
        new Row("ConfigMap deleted by hand: republish above status", input(spec, 2, status(5L, "r"), null), 6L, 6),
        new Row("foreign label on the ConfigMap: rewrite", input(spec, 2, status(5L, "r"),
            new ConfigMapBuilder(at5).editMetadata().addToLabels("team", "x").endMetadata().build()), 6L, 6));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("publishing")
  void publishesOnlyWhenTheContentWouldChange(Row row) {
    PublishPlanner.Plan plan = PublishPlanner.plan(row.input(), AllAtOnceRollout.INSTANCE, LIMIT);

    assertThat(plan.outcome().result()).isEqualTo(Result.PUBLISHED);
    assertThat(plan.outcome().sequence()).isEqualTo(row.reportedSequence());
    String revision = EnvelopeCodec.publish(row.input().spec(), row.input().generation(), null).revision();
    assertThat(plan.outcome().stableRevision()).isEqualTo(revision);
    if (row.writtenSequence() == null) {
      assertThat(plan.toWrite()).isNull();
    } else {
      assertThat(plan.toWrite()).isNotNull();
      assertThat(PublishedState.of(plan.toWrite().configMap()))
          .isEqualTo(new PublishedState(row.writtenSequence(), revision));
      assertThat(plan.toWrite().configMap().getMetadata().getResourceVersion()).isNull();
    }
  }

  @Test
  void aNewGenerationWithTheSameSpecKeepsTheRevision() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), published(spec, 2, 5)),
        AllAtOnceRollout.INSTANCE, LIMIT);
    assertThat(plan.toWrite().stableRevision()).isEqualTo(EnvelopeCodec.publish(spec, 2, null).revision());
  }

  @Test
  void invalidSpecWritesNothingAndKeepsWhatWasPublished() {
    CachePolicySpec good = Fixtures.cacheSpec(100);
    CachePolicySpec bad = Fixtures.cacheSpec(100);
    bad.getCache().setMaximumWeight(new IntOrString("64Mi"));
    bad.getCache().setExpireAfterWrite("0s");
    ConfigMap at5 = published(good, 2, 5);

    PublishPlanner.Plan plan = PublishPlanner.plan(input(bad, 3, status(5L, "r"), at5), AllAtOnceRollout.INSTANCE, LIMIT);

    assertThat(plan.toWrite()).isNull();
    assertThat(plan.outcome().result()).isEqualTo(Result.INVALID_SPEC);
    assertThat(plan.outcome().message())
        .contains("generation 3")
        .contains("spec.cache.maximumWeight: maximumSize and maximumWeight are mutually exclusive")
        .contains("spec.cache.expireAfterWrite: must be a positive duration")
        .contains("sequence 5 (revision " + PublishedState.of(at5).stableRevision() + ") stays published");
    assertThat(plan.outcome().sequence()).isEqualTo(5L);
    assertThat(plan.outcome().stableRevision()).isEqualTo(PublishedState.of(at5).stableRevision());
  }

  @Test
  void aRefusedWriteReportsPublishFailedAndKeepsWhatWasPublished() {
    CachePolicySpec spec = Fixtures.cacheSpec(200);
    ConfigMap at5 = published(Fixtures.cacheSpec(100), 2, 5);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), AllAtOnceRollout.INSTANCE, LIMIT);

    var failed = plan.failed("403 configmaps is forbidden");

    assertThat(failed.result()).isEqualTo(Result.PUBLISH_FAILED);
    assertThat(failed.sequence()).isEqualTo(5L);
    assertThat(failed.stableRevision()).isEqualTo(PublishedState.of(at5).stableRevision());
    assertThat(failed.message()).contains("cachepolicy-pages").contains("403 configmaps is forbidden")
        .contains("sequence 5");
  }

  @Test
  void invalidNewPolicyHasNothingPublished() {
    CachePolicySpec bad = Fixtures.cacheSpec(0);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(bad, 1, null, null), AllAtOnceRollout.INSTANCE, LIMIT);
    assertThat(plan.outcome().result()).isEqualTo(Result.INVALID_SPEC);
    assertThat(plan.outcome().message()).contains("spec.cache.maximumSize").contains("nothing published yet");
    assertThat(plan.outcome().sequence()).isNull();
    assertThat(plan.outcome().stableRevision()).isNull();
  }

  @Test
  void missingCachePolicyWritesNothing() {
    RoutePolicySpec spec = Fixtures.routePolicy("shop", "front", "pages").getSpec();
    PublishPlanner.Input in = new PublishPlanner.Input(POLICY, 1, spec, null, null, List.of(),
        CachePolicyReferences.missing(spec, "shop", name -> false));
    PublishPlanner.Plan plan = PublishPlanner.plan(in, AllAtOnceRollout.INSTANCE, LIMIT);
    assertThat(plan.toWrite()).isNull();
    assertThat(plan.outcome().result()).isEqualTo(Result.CACHE_POLICY_NOT_FOUND);
    assertThat(plan.outcome().message()).contains("route \"r0\"").contains("CachePolicy \"pages\"");
  }

  @Test
  void refusesAnEnvelopeAboveTheLimitAndSaysItsSize() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    ConfigMap at5 = published(Fixtures.cacheSpec(50), 2, 5);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), AllAtOnceRollout.INSTANCE, 100);
    int size = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), AllAtOnceRollout.INSTANCE, LIMIT)
        .toWrite().sizeBytes();

    assertThat(plan.toWrite()).isNull();
    assertThat(plan.outcome().result()).isEqualTo(Result.PAYLOAD_TOO_LARGE);
    assertThat(plan.outcome().message()).contains(size + " bytes").contains("limit of 100 bytes")
        .contains("sequence 5");
    assertThat(plan.outcome().sequence()).isEqualTo(5L);
  }

  @Test
  void aValidButHugeRoutePolicyIsAbove900KiB() {
    RoutePolicySpec spec = new RoutePolicySpec();
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < PolicyValidator.MAX_ROUTES; i++) {
      Route r = Fixtures.route("route-" + i, null, null);
      r.getMatch().setPathPrefix(null);
      r.getMatch().setPathRegex("/" + "a".repeat(1000) + i);
      HeaderMatch h = new HeaderMatch();
      h.setName("x-h");
      h.setRegex("b".repeat(1000));
      r.getMatch().setHeaders(List.of(h));
      routes.add(r);
    }
    spec.setRoutes(routes);
    assertThat(PolicyValidator.validate(spec)).isEmpty();

    PublishPlanner.Plan plan = PublishPlanner.plan(new PublishPlanner.Input(POLICY, 1, spec, null, null, List.of(),
        List.of()), AllAtOnceRollout.INSTANCE, LIMIT);

    assertThat(plan.outcome().result()).isEqualTo(Result.PAYLOAD_TOO_LARGE);
    assertThat(plan.outcome().message()).containsPattern("is \\d{7} bytes, above the limit of 921600 bytes");
  }
}

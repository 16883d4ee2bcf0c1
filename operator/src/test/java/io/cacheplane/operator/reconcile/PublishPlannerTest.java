package io.cacheplane.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
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
import io.cacheplane.operator.reconcile.PublishPlanner.Ownership;
import io.cacheplane.operator.rollout.RolloutTarget;
import io.cacheplane.operator.status.Messages;
import io.cacheplane.operator.status.Outcome.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class PublishPlannerTest {

  private static final PolicyRef POLICY = new PolicyRef("CachePolicy", "shop", "pages", "uid-1");
  private static final int LIMIT = EnvelopeRenderer.MAX_ENVELOPE_BYTES;
  /** The candidate becomes stable at once (what the canary engine does when no agent matches). */
  private static final PublishPlanner.TargetChooser ALL_AT_ONCE = (candidate, published) ->
      new RolloutTarget(candidate, null);

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

  /** For a ConfigMap that is ours or absent the planner must not even ask whether another policy exists. */
  static final Predicate<String> NEVER_ASKED = uid -> {
    throw new AssertionError("asked whether policy uid " + uid + " exists, for a ConfigMap that is ours or absent");
  };

  static PublishPlanner.Input input(PolicySpec spec, long generation, PolicyStatus status, ConfigMap existing) {
    return input(spec, generation, status, existing, NEVER_ASKED);
  }

  static PublishPlanner.Input input(PolicySpec spec, long generation, PolicyStatus status, ConfigMap existing,
      Predicate<String> livePolicyUid) {
    List<Violation> violations = spec instanceof CachePolicySpec c ? PolicyValidator.validate(c)
        : PolicyValidator.validate((RoutePolicySpec) spec);
    return new PublishPlanner.Input(POLICY, generation, spec, status, existing, violations, List.of(), livePolicyUid);
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
    PublishPlanner.Plan plan = PublishPlanner.plan(row.input(), ALL_AT_ONCE, LIMIT);

    assertThat(plan.outcome().result()).isEqualTo(Result.PUBLISHED);
    assertThat(plan.outcome().sequence()).isEqualTo(row.reportedSequence());
    String revision = EnvelopeCodec.publish(row.input().spec(), row.input().generation(), null).revision();
    assertThat(plan.outcome().stableRevision()).isEqualTo(revision);
    if (row.writtenSequence() == null) {
      assertThat(plan.toWrite()).isNull();
    } else {
      assertThat(plan.toWrite()).isNotNull();
      assertThat(PublishedState.of(plan.toWrite().configMap()))
          .extracting(PublishedState::sequence, PublishedState::stableRevision)
          .containsExactly(row.writtenSequence(), revision);
      assertThat(plan.toWrite().configMap().getMetadata().getResourceVersion()).isNull();
    }
  }

  @Test
  void aNewGenerationWithTheSameSpecKeepsTheRevision() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), published(spec, 2, 5)),
        ALL_AT_ONCE, LIMIT);
    assertThat(plan.toWrite().stableRevision()).isEqualTo(EnvelopeCodec.publish(spec, 2, null).revision());
  }

  @Test
  void invalidSpecWritesNothingAndKeepsWhatWasPublished() {
    CachePolicySpec good = Fixtures.cacheSpec(100);
    CachePolicySpec bad = Fixtures.cacheSpec(100);
    bad.getCache().setMaximumWeight(new IntOrString("64Mi"));
    bad.getCache().setExpireAfterWrite("0s");
    ConfigMap at5 = published(good, 2, 5);

    PublishPlanner.Plan plan = PublishPlanner.plan(input(bad, 3, status(5L, "r"), at5), ALL_AT_ONCE, LIMIT);

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
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), ALL_AT_ONCE, LIMIT);

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
    PublishPlanner.Plan plan = PublishPlanner.plan(input(bad, 1, null, null), ALL_AT_ONCE, LIMIT);
    assertThat(plan.outcome().result()).isEqualTo(Result.INVALID_SPEC);
    assertThat(plan.outcome().message()).contains("spec.cache.maximumSize").contains("nothing published yet");
    assertThat(plan.outcome().sequence()).isNull();
    assertThat(plan.outcome().stableRevision()).isNull();
  }

  @Test
  void missingCachePolicyWritesNothing() {
    RoutePolicySpec spec = Fixtures.routePolicy("shop", "front", "pages").getSpec();
    PublishPlanner.Input in = new PublishPlanner.Input(POLICY, 1, spec, null, null, List.of(),
        CachePolicyReferences.missing(spec, "shop", name -> false), NEVER_ASKED);
    PublishPlanner.Plan plan = PublishPlanner.plan(in, ALL_AT_ONCE, LIMIT);
    assertThat(plan.toWrite()).isNull();
    assertThat(plan.outcome().result()).isEqualTo(Result.CACHE_POLICY_NOT_FOUND);
    assertThat(plan.outcome().message()).contains("route \"r0\"").contains("CachePolicy \"pages\"");
  }

  @Test
  void refusesAnEnvelopeAboveTheLimitAndSaysItsSize() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    ConfigMap at5 = published(Fixtures.cacheSpec(50), 2, 5);
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), ALL_AT_ONCE, 100);
    int size = PublishPlanner.plan(input(spec, 3, status(5L, "r"), at5), ALL_AT_ONCE, LIMIT)
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
        List.of(), NEVER_ASKED), ALL_AT_ONCE, LIMIT);

    assertThat(plan.outcome().result()).isEqualTo(Result.PAYLOAD_TOO_LARGE);
    assertThat(plan.outcome().message()).containsPattern("is \\d{7} bytes, above the limit of 921600 bytes");
  }

  // ---- whose ConfigMap: never overwrite one that is not ours ----

  /** A ConfigMap named like the policy's, with the given labels and owners, as someone else may have made it. */
  static ConfigMap named(Map<String, String> labels, Map<String, String> data, OwnerReference... owners) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("shop").withName("cachepolicy-pages")
        .withResourceVersion("42").withLabels(labels).withOwnerReferences(owners).endMetadata()
        .withData(data).build();
  }

  static Map<String, String> ourLabels(String kind, String uid) {
    return ConfigMapNames.labels(kind, "pages", uid);
  }

  static OwnerReference owner(String apiVersion, String kind, String name, String uid) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid)
        .withController(true).build();
  }

  static OwnerReference policyOwner(String uid) {
    return owner("cacheplane.io/v1alpha1", "CachePolicy", "pages", uid);
  }

  static String envelopeAt(long sequence, String uid) {
    return "schemaVersion: 1\nkind: CachePolicy\nname: pages\nuid: " + uid + "\nsequence: " + sequence
        + "\nstable:\n  revision: 0123456789abcdef\n";
  }

  /**
   * One row: an existing ConfigMap named {@code cachepolicy-pages} (policy uid-1, status at sequence 5), the policy
   * uids that exist, and the verdict: ownership, result, the sequence written ({@code null}: nothing) and a fragment
   * of the message ({@code null}: not checked).
   */
  record OwnershipRow(String name, ConfigMap existing, Set<String> liveUids, Ownership ownership, Result result,
      Long writtenSequence, String message) {
    @Override public String toString() { return name; }
  }

  static Stream<OwnershipRow> ownership() {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    ConfigMap at5 = published(spec, 2, 5);
    Map<String, String> userData = Map.of("app.properties", "greeting=hello\n");
    Map<String, String> deadEnvelope = Map.of(Envelope.DATA_KEY, envelopeAt(7, "uid-old"));
    Map<String, String> noUid = Map.of(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY,
        CacheplaneApi.LABEL_KIND, "CachePolicy");
    String notOurs = "ConfigMap shop/cachepolicy-pages exists and was not created for this CachePolicy (uid uid-1): ";
    return Stream.of(
        new OwnershipRow("no ConfigMap: create", null, Set.of(), Ownership.ABSENT, Result.PUBLISHED, 6L, null),
        new OwnershipRow("ours and unchanged: nothing to write", at5, Set.of(), Ownership.OURS, Result.PUBLISHED,
            null, null),
        new OwnershipRow("ours, hand-edited data and labels stripped: repaired", new ConfigMapBuilder(at5)
            .editMetadata().withLabels(Map.of()).endMetadata().withData(userData).build(), Set.of(),
            Ownership.OURS, Result.PUBLISHED, 6L, null),
        new OwnershipRow("ours plus a foreign owner reference: repaired", new ConfigMapBuilder(at5).editMetadata()
            .addToOwnerReferences(owner("apps/v1", "Deployment", "web", "uid-web")).endMetadata().build(), Set.of(),
            Ownership.OURS, Result.PUBLISHED, 6L, null),
        new OwnershipRow("owner reference removed by hand, our labels and uid: repaired", new ConfigMapBuilder(at5)
            .editMetadata().withOwnerReferences(List.of()).endMetadata().build(), Set.of(), Ownership.OURS,
            Result.PUBLISHED, 6L, null),
        new OwnershipRow("a user's own ConfigMap: conflict", named(Map.of("team", "web"), userData), Set.of(),
            Ownership.FOREIGN, Result.CONFIG_MAP_CONFLICT, null,
            notOurs + "it has no owner reference to this CachePolicy and is not labelled "
                + "app.kubernetes.io/managed-by=cacheplane-operator; not overwritten, nothing published for "
                + "generation 2. Delete or rename that ConfigMap"),
        new OwnershipRow("managed by another tool: conflict", named(Map.of(CacheplaneApi.LABEL_MANAGED_BY, "Helm"),
            userData), Set.of(), Ownership.FOREIGN, Result.CONFIG_MAP_CONFLICT, null, "(it says Helm)"),
        new OwnershipRow("a user's copy of our labels with our uid but another kind: conflict",
            named(ourLabels("RoutePolicy", "uid-1"), userData), Set.of(), Ownership.FOREIGN,
            Result.CONFIG_MAP_CONFLICT, null, "labelled cacheplane.io/kind=RoutePolicy, not CachePolicy"),
        new OwnershipRow("our managed-by and kind labels but no policy uid: conflict", named(noUid, userData), Set.of(),
            Ownership.FOREIGN, Result.CONFIG_MAP_CONFLICT, null, "no cacheplane.io/policy-uid label"),
        new OwnershipRow("another CachePolicy's that still exists: conflict",
            named(ourLabels("CachePolicy", "uid-2"), deadEnvelope, policyOwner("uid-2")), Set.of("uid-2"),
            Ownership.FOREIGN, Result.CONFIG_MAP_CONFLICT, null,
            "it belongs to another CachePolicy (uid uid-2) that still exists"),
        new OwnershipRow("left by a deleted CachePolicy: taken over above its sequence",
            named(ourLabels("CachePolicy", "uid-old"), deadEnvelope, policyOwner("uid-old")), Set.of("uid-2"),
            Ownership.ABANDONED, Result.PUBLISHED, 8L, null),
        new OwnershipRow("left by a deleted CachePolicy, owner reference already gone: taken over",
            named(ourLabels("CachePolicy", "uid-old"), deadEnvelope), Set.of(), Ownership.ABANDONED,
            Result.PUBLISHED, 8L, null),
        new OwnershipRow("left by a deleted CachePolicy but owned by a Deployment too: conflict",
            named(ourLabels("CachePolicy", "uid-old"), deadEnvelope, policyOwner("uid-old"),
                owner("apps/v1", "Deployment", "web", "uid-web")), Set.of(), Ownership.FOREIGN,
            Result.CONFIG_MAP_CONFLICT, null, "it is owned by Deployment web (uid uid-web)"),
        new OwnershipRow("labelled for a deleted CachePolicy, owned by a live one: conflict",
            named(ourLabels("CachePolicy", "uid-old"), deadEnvelope, owner("cacheplane.io/v1alpha1", "CachePolicy",
                "other", "uid-2")), Set.of("uid-2"), Ownership.FOREIGN, Result.CONFIG_MAP_CONFLICT, null,
            "it is owned by CachePolicy other (uid uid-2), which still exists"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ownership")
  void neverOverwritesAConfigMapThatIsNotOurs(OwnershipRow row) {
    CachePolicySpec spec = Fixtures.cacheSpec(100);
    Predicate<String> live = row.ownership() == Ownership.OURS || row.ownership() == Ownership.ABSENT ? NEVER_ASKED
        : row.liveUids()::contains;

    assertThat(PublishPlanner.claim(row.existing(), POLICY, live).ownership()).isEqualTo(row.ownership());
    PublishPlanner.Plan plan = PublishPlanner.plan(input(spec, 2, status(5L, "r"), row.existing(), live),
        ALL_AT_ONCE, LIMIT);

    assertThat(plan.outcome().result()).isEqualTo(row.result());
    assertThat(plan.isConflict()).isEqualTo(row.result() == Result.CONFIG_MAP_CONFLICT);
    if (row.message() != null) {
      assertThat(plan.outcome().message()).contains(row.message());
    }
    if (row.writtenSequence() == null) {
      assertThat(plan.toWrite()).isNull();
    } else {
      ConfigMap written = plan.toWrite().configMap();
      assertThat(PublishedState.of(written).sequence()).isEqualTo(row.writtenSequence());
      assertThat(written.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(o -> assertThat(o.getUid()).isEqualTo("uid-1"));
      assertThat(written.getMetadata().getLabels()).isEqualTo(ourLabels("CachePolicy", "uid-1"));
    }
    if (row.result() == Result.CONFIG_MAP_CONFLICT) {
      // status keeps this policy's own sequence counter; nothing is read from the other ConfigMap
      assertThat(plan.outcome().sequence()).isEqualTo(5L);
      assertThat(plan.outcome().stableRevision()).isEqualTo("r");
      assertThat(plan.outcome().message()).doesNotContain("sequence 7").doesNotContain("0123456789abcdef");
    }
  }

  @Test
  void anInvalidSpecIsReportedBeforeAConflictAndTrustsNothingInTheOtherConfigMap() {
    CachePolicySpec bad = Fixtures.cacheSpec(0);
    ConfigMap users = named(Map.of(), Map.of(Envelope.DATA_KEY, envelopeAt(7, "uid-x")));

    PublishPlanner.Plan plan = PublishPlanner.plan(input(bad, 1, null, users, uid -> false),
        ALL_AT_ONCE, LIMIT);

    assertThat(plan.toWrite()).isNull();
    assertThat(plan.outcome().result()).isEqualTo(Result.INVALID_SPEC);
    assertThat(plan.outcome().message()).contains("nothing published yet");
    assertThat(plan.outcome().sequence()).isNull();
  }

  @Test
  void aConflictOnANewPolicyHasNothingPublished() {
    PublishPlanner.Plan plan = PublishPlanner.plan(input(Fixtures.cacheSpec(100), 1, null,
        named(Map.of(), Map.of(Envelope.DATA_KEY, envelopeAt(7, "uid-x"))), uid -> false),
        ALL_AT_ONCE, LIMIT);

    assertThat(plan.isConflict()).isTrue();
    assertThat(plan.outcome().sequence()).isNull();
    assertThat(plan.outcome().stableRevision()).isNull();
    assertThat(plan.outcome().message()).hasSizeLessThanOrEqualTo(Messages.MAX_LENGTH)
        .contains("the operator tries again as soon as it changes or is deleted");
  }
}

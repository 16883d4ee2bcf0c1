package io.cacheplane.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.PolicyState.Track;
import io.cacheplane.agent.config.EnvelopeSelection.Applied;
import io.cacheplane.agent.config.EnvelopeSelection.Apply;
import io.cacheplane.agent.config.EnvelopeSelection.Decision;
import io.cacheplane.agent.config.EnvelopeSelection.NotSelected;
import io.cacheplane.agent.config.EnvelopeSelection.Reject;
import io.cacheplane.agent.config.EnvelopeSelection.Stale;
import io.cacheplane.agent.config.EnvelopeSelection.Unchanged;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeSelectionTest {

  private static final String UID = "uid-1";
  private static final String AGENT = "agent-0";
  private static final long BUCKET = Bucketing.bucket(UID, AGENT);
  private static final CachePolicySpec STABLE = Policies.cachePolicy(100L, "5m", null, null);
  private static final CachePolicySpec CANARY = Policies.cachePolicy(200L, "1m", null, null);
  private static final String STABLE_REV = EnvelopeCodec.publish(STABLE, 1, null).revision();
  private static final String CANARY_REV = EnvelopeCodec.publish(CANARY, 2, null).revision();

  private static Decision decide(Envelope env, Map<String, String> labels, Applied applied) {
    return EnvelopeSelection.decide(EnvelopeCodec.encode(env), AGENT, labels, applied);
  }

  private static Envelope canary(long threshold, CachePolicySpec stable) {
    return Policies.withCanary(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 5, stable, CANARY, threshold, null);
  }

  @Test
  void stableOnlyEnvelopeAppliesStable() {
    Decision d = decide(Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 1, STABLE), Map.of(), null);
    assertThat(d).isInstanceOfSatisfying(Apply.class, a -> {
      assertThat(a.track()).isEqualTo(Track.stable);
      assertThat(a.revision().revision()).isEqualTo(STABLE_REV);
    });
  }

  @Test
  void canaryIffBucketBelowThreshold() {
    assertThat(decide(canary(BUCKET + 1, STABLE), Map.of(), null))
        .isInstanceOfSatisfying(Apply.class, a -> {
          assertThat(a.track()).isEqualTo(Track.canary);
          assertThat(a.revision().revision()).isEqualTo(CANARY_REV);
        });
    assertThat(decide(canary(BUCKET, STABLE), Map.of(), null))
        .as("bucket == threshold is not a canary")
        .isInstanceOfSatisfying(Apply.class, a -> assertThat(a.track()).isEqualTo(Track.stable));
    assertThat(decide(canary(Bucketing.ALL, STABLE), Map.of(), null))
        .isInstanceOfSatisfying(Apply.class, a -> assertThat(a.track()).isEqualTo(Track.canary));
  }

  @Test
  void newPolicyInCanaryIsNotForAgentsOutsideIt() {
    assertThat(decide(canary(0, null), Map.of(), null)).isInstanceOf(NotSelected.class);
    assertThat(decide(canary(Bucketing.ALL, null), Map.of(), null)).isInstanceOf(Apply.class);
  }

  @Test
  void selectorMismatchIsNotSelected() {
    LabelSelector sel = new LabelSelectorBuilder().withMatchLabels(Map.of("tier", "edge")).build();
    Envelope env = Policies.withCanary(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 1, STABLE, CANARY, 0, sel);
    assertThat(decide(env, Map.of("tier", "core"), null)).isInstanceOf(NotSelected.class);
    assertThat(decide(env, Map.of(), null)).isInstanceOf(NotSelected.class);
    assertThat(decide(env, Map.of("tier", "edge", "x", "y"), null)).isInstanceOf(Apply.class);
  }

  @Test
  void lowerSequenceOfTheSameUidIsStale() {
    Envelope env = Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 3, STABLE);
    assertThat(decide(env, Map.of(), new Applied(UID, 4, "other"))).isInstanceOf(Stale.class);
    assertThat(decide(env, Map.of(), new Applied("another-uid", 4, "other")))
        .as("a recreated policy (new uid) starts its own sequence").isInstanceOf(Apply.class);
    assertThat(decide(env, Map.of(), new Applied(UID, 2, "other"))).isInstanceOf(Apply.class);
  }

  @Test
  void sameSequenceAndRevisionIsUnchanged() {
    Envelope env = Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 3, STABLE);
    assertThat(decide(env, Map.of(), new Applied(UID, 3, STABLE_REV))).isInstanceOf(Unchanged.class);
  }

  @Test
  void rejectionsCarryTheContractReason() {
    assertThat(EnvelopeSelection.decide("{{{ not: yaml", AGENT, Map.of(), null))
        .isInstanceOfSatisfying(Reject.class, r -> assertThat(r.reason()).isEqualTo(Reasons.MALFORMED_ENVELOPE));
    assertThat(EnvelopeSelection.decide(null, AGENT, Map.of(), null))
        .isInstanceOfSatisfying(Reject.class, r -> assertThat(r.reason()).isEqualTo(Reasons.MALFORMED_ENVELOPE));

    String yaml = EnvelopeCodec.encode(Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 1, STABLE));
    assertThat(EnvelopeSelection.decide(yaml.replace("schemaVersion: 1", "schemaVersion: 99"), AGENT, Map.of(), null))
        .isInstanceOfSatisfying(Reject.class, r -> assertThat(r.reason()).isEqualTo(Reasons.UNSUPPORTED_SCHEMA_VERSION));
    assertThat(EnvelopeSelection.decide(yaml + "name: again\n", AGENT, Map.of(), null))
        .as("duplicate key")
        .isInstanceOfSatisfying(Reject.class, r -> assertThat(r.reason()).isEqualTo(Reasons.MALFORMED_ENVELOPE));

    PublishedRevision good = EnvelopeCodec.publish(STABLE, 1, null);
    Envelope forged = new Envelope(1, CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 2L, null,
        new PublishedRevision("0000000000000000", 1L, good.spec(), null), null);
    assertThat(decide(forged, Map.of(), null))
        .isInstanceOfSatisfying(Reject.class, r -> {
          assertThat(r.reason()).isEqualTo(Reasons.REVISION_MISMATCH);
          assertThat(r.envelope().sequence()).isEqualTo(2);
        });

    CachePolicySpec invalid = Policies.cachePolicy(0L, "5m", null, List.of());
    assertThat(decide(Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 1, invalid), Map.of(), null))
        .isInstanceOfSatisfying(Reject.class, r -> {
          assertThat(r.reason()).isEqualTo(Reasons.INVALID_SPEC);
          assertThat(r.message()).contains("spec.cache.maximumSize");
        });
  }

  @Test
  void onlyTheChosenRevisionIsChecked() {
    PublishedRevision good = EnvelopeCodec.publish(CANARY, 2, 0L);
    Envelope brokenCanary = new Envelope(1, CacheplaneApi.KIND_CACHE_POLICY, "c", UID, 2L, null,
        EnvelopeCodec.publish(STABLE, 1, null), new PublishedRevision("0000000000000000", 2L, good.spec(), 0L));
    assertThat(decide(brokenCanary, Map.of(), null)).isInstanceOf(Apply.class);
  }
}

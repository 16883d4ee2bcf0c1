package io.cacheplane.operator.reconcile;

import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.validation.Violation;
import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.render.EnvelopeRenderer;
import io.cacheplane.operator.render.PolicyRef;
import io.cacheplane.operator.render.PublishedState;
import io.cacheplane.operator.render.RenderedConfigMap;
import io.cacheplane.operator.rollout.RolloutTarget;
import io.cacheplane.operator.status.Messages;
import io.cacheplane.operator.status.Outcome;
import io.cacheplane.operator.status.Outcome.Result;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides what a reconcile writes (pure): nothing, or one ConfigMap, and the outcome for status.
 * <ul>
 *   <li>violations → {@code InvalidSpec}; dangling CachePolicy references → {@code CachePolicyNotFound};
 *       nothing written, the published ConfigMap stays as it is;</li>
 *   <li>a ConfigMap of the target name exists that is not ours and may not be taken over ({@link #claim}) →
 *       {@code ConfigMapConflict}, nothing written;</li>
 *   <li>the existing ConfigMap is ours and already carries what would be rendered at its own sequence (and status
 *       is not ahead of it) → nothing written;</li>
 *   <li>otherwise render at {@code max(status.sequence, ConfigMap sequence) + 1}; above the size limit →
 *       {@code PayloadTooLarge}, nothing written.</li>
 * </ul>
 */
public final class PublishPlanner {

  private PublishPlanner() {}

  /**
   * The seam to the rollout state machine: what the envelope should carry, given the candidate and what our
   * ConfigMap publishes now.
   */
  @FunctionalInterface
  public interface TargetChooser {

    /**
     * @param candidate the newest valid spec as a revision ({@code EnvelopeCodec.publish(spec, generation, null)})
     * @param published what our ConfigMap publishes ({@link PublishedState#NONE} when there is none)
     * @return the revisions to publish, or {@code null} to write nothing new
     */
    RolloutTarget target(PublishedRevision candidate, PublishedState published);
  }

  /**
   * Everything a decision looks at.
   *
   * @param policy the policy's identity
   * @param generation its {@code metadata.generation}
   * @param spec its spec (valid or not)
   * @param status its current status, or {@code null}
   * @param existing the ConfigMap that has the policy's ConfigMap name, whoever it belongs to, or {@code null}
   * @param violations validation result ({@code PolicyValidator}); empty when valid
   * @param missingReferences dangling {@code cachePolicyRef}s ({@link CachePolicyReferences#missing}); empty if none
   * @param livePolicyUid whether a policy of {@code policy.kind()} with this uid exists in the namespace; asked
   *     only about an existing ConfigMap that is not ours (a lookup in the controller's cache)
   */
  public record Input(PolicyRef policy, long generation, PolicySpec spec, PolicyStatus status, ConfigMap existing,
      List<Violation> violations, List<String> missingReferences, Predicate<String> livePolicyUid) {

    public Input {
      Objects.requireNonNull(policy, "policy");
      violations = List.copyOf(violations);
      missingReferences = List.copyOf(missingReferences);
      Objects.requireNonNull(livePolicyUid, "livePolicyUid");
    }
  }

  /**
   * A decision.
   *
   * @param toWrite the ConfigMap to create or update, or {@code null} to write nothing
   * @param outcome the outcome for status when the write (if any) succeeds
   * @param keptSequence the sequence that stays published if nothing (new) lands, or {@code null}
   * @param keptRevision the stable revision that stays published if nothing (new) lands, or {@code null}
   */
  public record Plan(RenderedConfigMap toWrite, Outcome outcome, Long keptSequence, String keptRevision) {

    /** The outcome when writing {@link #toWrite} failed with {@code error} (an API error, already one line). */
    public Outcome failed(String error) {
      String name = toWrite == null ? "?" : toWrite.configMap().getMetadata().getName();
      return new Outcome(Result.PUBLISH_FAILED, Messages.bounded("writing ConfigMap " + name + " failed, "
          + kept(keptSequence, keptRevision) + ", retrying: " + error), keptSequence, keptRevision);
    }

    /** Whether the ConfigMap name is taken by one that is not ours (then the caller watches that ConfigMap). */
    public boolean isConflict() {
      return outcome.result() == Result.CONFIG_MAP_CONFLICT;
    }
  }

  /** Whose the ConfigMap that has a policy's ConfigMap name is. */
  public enum Ownership {
    /** There is no such ConfigMap: create it. */
    ABSENT,
    /**
     * Created for this policy: it has an owner reference to the policy's uid, or (owner references removed by hand)
     * our {@code managed-by} label with the policy's kind and uid. Repaired when its content differs.
     */
    OURS,
    /**
     * Left by a deleted policy of the same kind and name (e.g. deleted and re-created before the garbage collector
     * ran): our {@code managed-by} and kind labels, a {@code policy-uid} of a policy that no longer exists, and no
     * owner but such policies. Taken over.
     */
    ABANDONED,
    /** Anything else (a user's own ConfigMap, another live policy's, another controller's): never written. */
    FOREIGN
  }

  /**
   * Whose {@code existing} is, and why when it is {@link Ownership#FOREIGN}.
   *
   * @param ownership the verdict
   * @param why for {@code FOREIGN}, why it may not be taken over (one clause); empty otherwise
   */
  public record Claim(Ownership ownership, String why) {

    public Claim {
      Objects.requireNonNull(ownership, "ownership");
      Objects.requireNonNull(why, "why");
    }

    static Claim of(Ownership ownership) {
      return new Claim(ownership, "");
    }

    static Claim foreign(String why) {
      return new Claim(Ownership.FOREIGN, why);
    }
  }

  /**
   * Decides whether the ConfigMap that has {@code policy}'s ConfigMap name may be written (see {@link Ownership}).
   *
   * @param existing that ConfigMap, or {@code null}
   * @param policy the policy about to write it
   * @param livePolicyUid whether a policy of {@code policy.kind()} with a uid exists in the namespace
   */
  public static Claim claim(ConfigMap existing, PolicyRef policy, Predicate<String> livePolicyUid) {
    if (existing == null) {
      return Claim.of(Ownership.ABSENT);
    }
    List<OwnerReference> owners = existing.getMetadata() == null || existing.getMetadata().getOwnerReferences() == null
        ? List.of() : existing.getMetadata().getOwnerReferences();
    if (owners.stream().anyMatch(o -> o != null && policy.uid().equals(o.getUid()))) {
      return Claim.of(Ownership.OURS);
    }
    Map<String, String> labels = existing.getMetadata() == null || existing.getMetadata().getLabels() == null
        ? Map.of() : existing.getMetadata().getLabels();
    String managedBy = labels.get(CacheplaneApi.LABEL_MANAGED_BY);
    if (!CacheplaneApi.MANAGED_BY.equals(managedBy)) {
      return Claim.foreign("it has no owner reference to this " + policy.kind() + " and is not labelled "
          + CacheplaneApi.LABEL_MANAGED_BY + "=" + CacheplaneApi.MANAGED_BY
          + (managedBy == null ? "" : " (it says " + managedBy + ")"));
    }
    String kind = labels.get(CacheplaneApi.LABEL_KIND);
    if (!policy.kind().equals(kind)) {
      return Claim.foreign("it is labelled " + CacheplaneApi.LABEL_KIND + "=" + (kind == null ? "(none)" : kind)
          + ", not " + policy.kind());
    }
    String uid = labels.get(CacheplaneApi.LABEL_POLICY_UID);
    if (uid == null || uid.isBlank()) {
      return Claim.foreign("it has no owner reference to this " + policy.kind() + " and no "
          + CacheplaneApi.LABEL_POLICY_UID + " label");
    }
    if (uid.equals(policy.uid())) {
      return Claim.of(Ownership.OURS);
    }
    if (livePolicyUid.test(uid)) {
      return Claim.foreign("it belongs to another " + policy.kind() + " (uid " + uid + ") that still exists");
    }
    for (OwnerReference o : owners) {
      if (o == null) {
        continue;
      }
      boolean policyOwner = policy.kind().equals(o.getKind()) && o.getApiVersion() != null
          && o.getApiVersion().startsWith(CacheplaneApi.GROUP + "/");
      if (!policyOwner) {
        return Claim.foreign("it is owned by " + o.getKind() + " " + o.getName() + " (uid " + o.getUid() + ")");
      }
      if (o.getUid() != null && livePolicyUid.test(o.getUid())) {
        return Claim.foreign("it is owned by " + o.getKind() + " " + o.getName() + " (uid " + o.getUid()
            + "), which still exists");
      }
    }
    return Claim.of(Ownership.ABANDONED);
  }

  /**
   * @param in the inputs
   * @param rollout the rollout state machine's choice of revisions
   * @param maxEnvelopeBytes the size limit ({@link EnvelopeRenderer#MAX_ENVELOPE_BYTES} in production)
   */
  public static Plan plan(Input in, TargetChooser rollout, int maxEnvelopeBytes) {
    Claim claim = claim(in.existing(), in.policy(), in.livePolicyUid());
    PublishedState inConfigMap = PublishedState.of(in.existing());
    // Only our own ConfigMap tells what this policy has published; an abandoned one only raises the next sequence.
    PublishedState published = claim.ownership() == Ownership.OURS ? inConfigMap : PublishedState.NONE;
    long statusSequence = in.status() == null || in.status().getSequence() == null ? 0 : in.status().getSequence();
    long last = Math.max(statusSequence, published.sequence() == null ? 0 : published.sequence());
    Long keptSequence = last == 0 ? null : last;
    String keptRevision = published.stableRevision() != null ? published.stableRevision()
        : in.status() == null ? null : in.status().getStableRevision();
    long generation = in.generation();

    if (!in.violations().isEmpty()) {
      List<String> items = in.violations().stream().map(Violation::toString).toList();
      return refuse(Result.INVALID_SPEC, Messages.joinBounded("invalid spec (generation " + generation + "), "
          + kept(keptSequence, keptRevision) + ": ", items), keptSequence, keptRevision);
    }
    if (!in.missingReferences().isEmpty()) {
      return refuse(Result.CACHE_POLICY_NOT_FOUND, Messages.joinBounded("missing CachePolicy (generation "
          + generation + "), " + kept(keptSequence, keptRevision) + ": ", in.missingReferences()),
          keptSequence, keptRevision);
    }
    if (claim.ownership() == Ownership.FOREIGN) {
      String name = in.policy().namespace() + "/" + in.existing().getMetadata().getName();
      return refuse(Result.CONFIG_MAP_CONFLICT, "ConfigMap " + name + " exists and was not created for this "
          + in.policy().kind() + " (uid " + in.policy().uid() + "): " + claim.why() + "; not overwritten, nothing"
          + " published for generation " + generation + ". Delete or rename that ConfigMap (or rename the "
          + in.policy().kind() + "); the operator tries again as soon as it changes or is deleted",
          keptSequence, keptRevision);
    }
    PublishedRevision candidate = EnvelopeCodec.publish(in.spec(), generation, null);
    RolloutTarget target = rollout.target(candidate, published);
    if (target == null) {
      return new Plan(null, new Outcome(Result.PUBLISHED, "nothing new published for generation " + generation + ", "
          + kept(keptSequence, keptRevision), keptSequence, keptRevision), keptSequence, keptRevision);
    }
    if (published.sequence() != null && published.sequence() >= statusSequence) {
      RenderedConfigMap same = render(in, target, published.sequence());
      if (same.matches(in.existing())) {
        return new Plan(null, success(same, generation), keptSequence, keptRevision);
      }
    }
    long floor = claim.ownership() == Ownership.ABANDONED && inConfigMap.sequence() != null
        ? Math.max(last, inConfigMap.sequence()) : last;
    RenderedConfigMap next = render(in, target, floor + 1);
    if (!next.fits(maxEnvelopeBytes)) {
      return refuse(Result.PAYLOAD_TOO_LARGE, "envelope of generation " + generation + " is " + next.sizeBytes()
          + " bytes, above the limit of " + maxEnvelopeBytes + " bytes; not written, "
          + kept(keptSequence, keptRevision), keptSequence, keptRevision);
    }
    return new Plan(next, success(next, generation), keptSequence, keptRevision);
  }

  private static RenderedConfigMap render(Input in, RolloutTarget target, long sequence) {
    return EnvelopeRenderer.render(in.policy(), in.spec().getAgentSelector(), target.stable(), target.canary(),
        sequence);
  }

  private static Outcome success(RenderedConfigMap rendered, long generation) {
    return new Outcome(Result.PUBLISHED, "generation " + generation + " published as sequence " + rendered.sequence()
        + " in ConfigMap " + rendered.configMap().getMetadata().getName() + " (stable "
        + (rendered.stableRevision() == null ? "none" : rendered.stableRevision()) + ")", rendered.sequence(),
        rendered.stableRevision());
  }

  private static Plan refuse(Result result, String message, Long keptSequence, String keptRevision) {
    return new Plan(null, new Outcome(result, Messages.bounded(message), keptSequence, keptRevision),
        keptSequence, keptRevision);
  }

  private static String kept(Long sequence, String revision) {
    return sequence == null ? "nothing published yet"
        : "sequence " + sequence + (revision == null ? "" : " (revision " + revision + ")") + " stays published";
  }
}

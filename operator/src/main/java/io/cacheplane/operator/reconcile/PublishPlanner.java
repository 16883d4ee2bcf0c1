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
import io.cacheplane.operator.rollout.RolloutEngine;
import io.cacheplane.operator.rollout.RolloutTarget;
import io.cacheplane.operator.status.Messages;
import io.cacheplane.operator.status.Outcome;
import io.cacheplane.operator.status.Outcome.Result;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.List;
import java.util.Objects;

/**
 * Decides what a reconcile writes (pure): nothing, or one ConfigMap, and the outcome for status.
 * <ul>
 *   <li>violations → {@code InvalidSpec}; dangling CachePolicy references → {@code CachePolicyNotFound};
 *       nothing written, the published ConfigMap stays as it is;</li>
 *   <li>the existing ConfigMap already carries what would be rendered at its own sequence (and status is not
 *       ahead of it) → nothing written;</li>
 *   <li>otherwise render at {@code max(status.sequence, ConfigMap sequence) + 1}; above the size limit →
 *       {@code PayloadTooLarge}, nothing written.</li>
 * </ul>
 */
public final class PublishPlanner {

  private PublishPlanner() {}

  /**
   * Everything a decision looks at.
   *
   * @param policy the policy's identity
   * @param generation its {@code metadata.generation}
   * @param spec its spec (valid or not)
   * @param status its current status, or {@code null}
   * @param existing its current ConfigMap, or {@code null}
   * @param violations validation result ({@code PolicyValidator}); empty when valid
   * @param missingReferences dangling {@code cachePolicyRef}s ({@link CachePolicyReferences#missing}); empty if none
   */
  public record Input(PolicyRef policy, long generation, PolicySpec spec, PolicyStatus status, ConfigMap existing,
      List<Violation> violations, List<String> missingReferences) {

    public Input {
      Objects.requireNonNull(policy, "policy");
      violations = List.copyOf(violations);
      missingReferences = List.copyOf(missingReferences);
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
  }

  /**
   * @param in the inputs
   * @param rollout the rollout strategy (the seam for the canary engine)
   * @param maxEnvelopeBytes the size limit ({@link EnvelopeRenderer#MAX_ENVELOPE_BYTES} in production)
   */
  public static Plan plan(Input in, RolloutEngine rollout, int maxEnvelopeBytes) {
    PublishedState published = PublishedState.of(in.existing());
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
    PublishedRevision candidate = EnvelopeCodec.publish(in.spec(), generation, null);
    RolloutTarget target = rollout.target(candidate, published.stableRevision());
    if (published.sequence() != null && published.sequence() >= statusSequence) {
      RenderedConfigMap same = render(in, target, published.sequence());
      if (same.matches(in.existing())) {
        return new Plan(null, success(same, generation), keptSequence, keptRevision);
      }
    }
    RenderedConfigMap next = render(in, target, last + 1);
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
    return new Outcome(Result.PUBLISHED, "revision " + rendered.stableRevision() + " of generation " + generation
        + " published as sequence " + rendered.sequence() + " in ConfigMap "
        + rendered.configMap().getMetadata().getName(), rendered.sequence(), rendered.stableRevision());
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

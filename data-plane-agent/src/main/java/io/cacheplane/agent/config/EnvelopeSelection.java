package io.cacheplane.agent.config;

import io.cacheplane.agent.PolicyState.Track;
import io.cacheplane.api.contract.Bucketing;
import io.cacheplane.api.contract.DecodedRevision;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.EnvelopeException;
import io.cacheplane.api.contract.LabelSelectors;
import io.cacheplane.api.contract.PublishedRevision;
import java.util.Map;
import java.util.Objects;

/**
 * What an agent does with one envelope: a pure function of the envelope text, the agent's identity and what it
 * already applied for the policy. No I/O, no clock.
 *
 * <p>In order:
 * <ol>
 *   <li>decode the frame ({@link EnvelopeCodec#decode}); an error → {@link Reject};
 *   <li>same uid and a sequence lower than the applied one → {@link Stale} (never an older revision after a newer);
 *   <li>the agent selector does not match the pod's labels → {@link NotSelected} (removed if applied);
 *   <li>choose the revision: the canary iff there is one and
 *       {@code Bucketing.isCanary(Bucketing.bucket(uid, agentId), canary.threshold)}, else the stable; no stable
 *       for a non-canary agent (a new policy in canary) → {@link NotSelected};
 *   <li>same uid, sequence and revision as applied → {@link Unchanged} (resync or a rewrite of equal content);
 *   <li>check the chosen revision ({@link EnvelopeCodec#check}: revision hash, kind, spec validation); an error →
 *       {@link Reject}. Only the chosen revision is checked: a broken canary does not make stable agents refuse
 *       their stable revision;
 *   <li>otherwise {@link Apply}.
 * </ol>
 */
public final class EnvelopeSelection {

  private EnvelopeSelection() {}

  /**
   * What is applied for a policy right now.
   *
   * @param uid the policy uid
   * @param sequence the applied envelope's sequence
   * @param revision the applied revision
   */
  public record Applied(String uid, long sequence, String revision) {}

  /** The outcome for one envelope. */
  public sealed interface Decision {}

  /** Apply {@code revision} of {@code envelope} on {@code track}. */
  public record Apply(Envelope envelope, DecodedRevision revision, Track track) implements Decision {}

  /** Nothing to do: the same sequence and revision are applied. */
  public record Unchanged(Envelope envelope) implements Decision {}

  /** Ignore: the envelope's sequence is lower than the applied one. */
  public record Stale(Envelope envelope, long appliedSequence) implements Decision {}

  /** The policy is not for this agent (selector) or has no revision for it (new policy, agent not in canary). */
  public record NotSelected(Envelope envelope, String why) implements Decision {}

  /**
   * Refuse the envelope whole; what is applied keeps serving.
   *
   * @param envelope the decoded envelope, or {@code null} when it could not be decoded
   * @param revision the refused revision: the one this agent chose from the envelope (canary or stable), as written
   *     in it; {@code null} when the envelope could not be decoded or names none
   */
  public record Reject(Envelope envelope, String reason, String message, String revision) implements Decision {

    /** A rejection that names no revision. */
    public Reject(Envelope envelope, String reason, String message) {
      this(envelope, reason, message, null);
    }
  }

  /**
   * @param yaml the ConfigMap's {@code envelope.yaml} (may be null or blank)
   * @param agentId this agent's id (pod name)
   * @param podLabels this agent's pod labels
   * @param applied what this agent applied from the same ConfigMap, or {@code null}
   */
  public static Decision decide(String yaml, String agentId, Map<String, String> podLabels, Applied applied) {
    Envelope env;
    try {
      env = EnvelopeCodec.decode(yaml);
    } catch (EnvelopeException e) {
      return new Reject(null, e.reason(), e.getMessage());
    }
    boolean sameUid = applied != null && Objects.equals(applied.uid(), env.uid());
    if (sameUid && env.sequence() < applied.sequence()) {
      return new Stale(env, applied.sequence());
    }
    boolean canary = env.canary() != null
        && Bucketing.isCanary(Bucketing.bucket(env.uid(), agentId), env.canary().threshold());
    PublishedRevision chosen = canary ? env.canary() : env.stable();
    boolean selected;
    try {
      selected = LabelSelectors.matches(env.agentSelector(), podLabels);
    } catch (IllegalArgumentException e) {
      return new Reject(env, Reasons.INVALID_SPEC, "agentSelector: " + e.getMessage(), revisionOf(chosen));
    }
    if (!selected) {
      return new NotSelected(env, "agentSelector does not match this agent's labels");
    }
    if (chosen == null) {
      return new NotSelected(env, "no stable revision yet and this agent is not in the canary");
    }
    if (sameUid && env.sequence() == applied.sequence() && Objects.equals(chosen.revision(), applied.revision())) {
      return new Unchanged(env);
    }
    try {
      DecodedRevision checked = EnvelopeCodec.check(env.kind(), chosen);
      return new Apply(env, checked, canary ? Track.canary : Track.stable);
    } catch (EnvelopeException e) {
      return new Reject(env, e.reason(), (canary ? "canary: " : "stable: ") + e.getMessage(), revisionOf(chosen));
    }
  }

  private static String revisionOf(PublishedRevision chosen) {
    return chosen == null || chosen.revision() == null || chosen.revision().isBlank() ? null : chosen.revision();
  }
}

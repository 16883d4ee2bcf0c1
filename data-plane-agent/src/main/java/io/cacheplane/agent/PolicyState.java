package io.cacheplane.agent;

/**
 * What one agent did with one policy: the input of its ACK/NACK report
 * ({@link io.cacheplane.agent.report.ReportBuilder}).
 *
 * @param kind {@code CachePolicy} or {@code RoutePolicy}
 * @param name the policy's name
 * @param uid the policy's metadata.uid
 * @param sequence the sequence of the last envelope this state is about (applied or rejected); -1 when no envelope
 *     of this ConfigMap could be read yet
 * @param appliedRevision the revision serving on this agent, {@code null} when none (e.g. rejected before anything
 *     was applied)
 * @param track whether {@code appliedRevision} is the envelope's stable or canary revision; {@code null} with no
 *     applied revision
 * @param state {@link State#Applied} when the last envelope is serving, {@link State#Rejected} when it was refused
 *     (the previous revision, if any, keeps serving)
 * @param reason CamelCase reason of a rejection (e.g. {@code MalformedEnvelope}, {@code RevisionMismatch},
 *     {@code InvalidSpec}, {@code UnsupportedSchemaVersion}, {@code ApplyFailed}); {@code null} when applied
 * @param message human-readable detail of a rejection; {@code null} when applied
 * @param rejectedRevision the revision this agent refused (the one it chose from the envelope), {@code null} when
 *     applied or when the envelope could not be read far enough to name one
 * @param underAnalysis whether the last readable envelope of this policy carries a {@code canary} section, i.e. a
 *     rollout is under way and both canary and stable agents report request counters for it
 */
public record PolicyState(
    String kind,
    String name,
    String uid,
    long sequence,
    String appliedRevision,
    Track track,
    State state,
    String reason,
    String message,
    String rejectedRevision,
    boolean underAnalysis) {

  /** A state without a rejected revision, not under analysis. */
  public PolicyState(String kind, String name, String uid, long sequence, String appliedRevision, Track track,
      State state, String reason, String message) {
    this(kind, name, uid, sequence, appliedRevision, track, state, reason, message, null, false);
  }

  /** Outcome of the last envelope. The constant names are the wire vocabulary of the agent report. */
  public enum State { Applied, Rejected }

  /** Which revision of the envelope an agent serves (sticky bucketing, DESIGN.md "Cohorts"). */
  public enum Track { stable, canary }
}

package io.cacheplane.agent.state;

import io.cacheplane.api.contract.Envelope;

/**
 * Told by the {@link io.cacheplane.agent.config.PolicyApplier} what is in force, so it can be kept as last-known-good.
 * Called under the applier's lock, in order; implementations must not throw (a failure to persist never fails an
 * apply) and must not call back into the applier.
 */
public interface AppliedEnvelopeListener {

  /** Persists nothing. */
  AppliedEnvelopeListener NONE = new AppliedEnvelopeListener() {
    @Override
    public void applied(String configMapName, Envelope envelope, String envelopeYaml) {}

    @Override
    public void withdrawn(String kind, String uid) {}
  };

  /**
   * An envelope was applied (it is now serving).
   *
   * @param configMapName the ConfigMap it came from
   * @param envelope the decoded envelope (kind, uid, sequence)
   * @param envelopeYaml the {@code envelope.yaml} text as applied
   */
  void applied(String configMapName, Envelope envelope, String envelopeYaml);

  /** The policy {@code kind}/{@code uid} is no longer in force on this agent (deleted, or not for this agent). */
  void withdrawn(String kind, String uid);
}

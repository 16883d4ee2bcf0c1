package io.cacheplane.agent.state;

import java.util.Objects;

/**
 * One last-known-good entry: the {@code envelope.yaml} text an agent applied, with the name of the ConfigMap it came
 * from and the policy it belongs to.
 *
 * @param configMapName name of the policy ConfigMap the envelope was read from (a DNS-1123 subdomain, at most 253
 *     characters); at start the envelope is replayed under this name, so the API's copy of the same ConfigMap is
 *     recognised as the same object
 * @param kind {@code CachePolicy} or {@code RoutePolicy}, from the envelope
 * @param uid the policy's {@code metadata.uid}, from the envelope
 * @param envelope the {@code envelope.yaml} text exactly as applied
 */
public record StoredEnvelope(String configMapName, String kind, String uid, String envelope) {

  /** @throws NullPointerException when any component is null */
  public StoredEnvelope {
    Objects.requireNonNull(configMapName, "configMapName");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(uid, "uid");
    Objects.requireNonNull(envelope, "envelope");
  }
}

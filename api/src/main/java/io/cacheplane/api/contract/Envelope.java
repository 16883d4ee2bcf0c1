package io.cacheplane.api.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * The wire format between the planes: the content of a policy ConfigMap's {@code envelope.yaml} key.
 * Both revisions of a rollout travel in one object, so an agent never sees half a rollout.
 *
 * @param schemaVersion format version; this build reads and writes {@link #SCHEMA_VERSION}
 * @param kind {@code CachePolicy} or {@code RoutePolicy}
 * @param name the policy's name
 * @param uid the policy's metadata.uid (the input of sticky bucketing)
 * @param sequence publish counter, rising on every publish; agents ignore a lower one than they applied
 * @param agentSelector the policy's agent selector; {@code null} selects every agent
 * @param stable revision every agent outside the canary serves; {@code null} while a new policy is in canary
 * @param canary revision under rollout with its {@code threshold}; {@code null} when no rollout runs
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"schemaVersion", "kind", "name", "uid", "sequence", "agentSelector", "stable", "canary"})
public record Envelope(
    Integer schemaVersion,
    String kind,
    String name,
    String uid,
    Long sequence,
    LabelSelector agentSelector,
    PublishedRevision stable,
    PublishedRevision canary) {

  /** The schema version this build writes. */
  public static final int SCHEMA_VERSION = 1;

  /** The ConfigMap data key that holds the envelope. */
  public static final String DATA_KEY = "envelope.yaml";
}

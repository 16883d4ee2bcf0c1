package io.cacheplane.operator.render;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * Identity of a policy object, as the envelope and the ConfigMap name it.
 *
 * @param kind {@code CachePolicy} or {@code RoutePolicy}
 * @param namespace the policy's namespace (the ConfigMap lives there too)
 * @param name the policy's name
 * @param uid the policy's {@code metadata.uid}
 */
public record PolicyRef(String kind, String namespace, String name, String uid) {

  public PolicyRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
  }

  /** The identity of a policy resource read from the API. */
  public static PolicyRef of(HasMetadata policy) {
    return new PolicyRef(policy.getKind(), policy.getMetadata().getNamespace(), policy.getMetadata().getName(),
        policy.getMetadata().getUid());
  }
}

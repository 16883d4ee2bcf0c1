package io.cacheplane.kubectl.cluster;

import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import java.util.Map;

/**
 * A policy as read from the API server, reduced to what the plugin shows.
 *
 * @param ref kind and name
 * @param namespace its namespace
 * @param uid metadata.uid
 * @param generation metadata.generation ({@code null} when the server sent none)
 * @param annotations metadata.annotations (never null)
 * @param spec the spec, {@code null} when absent
 * @param status the status, {@code null} before the operator wrote one
 * @param resourceVersion metadata.resourceVersion (changes on every write)
 */
public record PolicySnapshot(PolicyRef ref, String namespace, String uid, Long generation,
    Map<String, String> annotations, PolicySpec spec, PolicyStatus status, String resourceVersion) {

  public PolicySnapshot {
    annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
  }
}

package io.cacheplane.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A small {@code kubectl apply} for Cacheplane's kinds, used by local mode and the system tests: creates a policy
 * or patches its metadata labels/annotations and spec; never touches status.
 */
public final class Manifests {

  private Manifests() {}

  /**
   * Reads every CachePolicy and RoutePolicy of a multi-document YAML file; other kinds are skipped.
   *
   * @throws IOException when the file cannot be read or is not YAML
   */
  public static List<HasMetadata> read(Path file) throws IOException {
    List<HasMetadata> policies = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = Json.YAML.readerFor(JsonNode.class).readValues(Files.readString(file))) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String kind = doc.path("kind").asText();
        if (CacheplaneApi.KIND_CACHE_POLICY.equals(kind)) {
          policies.add(Json.JSON.treeToValue(doc, CachePolicy.class));
        } else if (CacheplaneApi.KIND_ROUTE_POLICY.equals(kind)) {
          policies.add(Json.JSON.treeToValue(doc, RoutePolicy.class));
        }
      }
    }
    return policies;
  }

  /**
   * Creates the policy in {@code namespace}, or updates its spec, labels and annotations when they differ.
   *
   * @return {@code created}, {@code configured} or {@code unchanged}, as kubectl says
   */
  public static String apply(KubernetesClient client, String namespace, HasMetadata policy) {
    if (policy instanceof CachePolicy cp) {
      return apply(client, namespace, CachePolicy.class, cp);
    }
    return apply(client, namespace, RoutePolicy.class, (RoutePolicy) policy);
  }

  /** Deletes a policy by kind and name; returns whether it existed. */
  public static boolean delete(KubernetesClient client, String namespace, HasMetadata policy) {
    return !client.resources(policy.getClass()).inNamespace(namespace).withName(policy.getMetadata().getName())
        .delete().isEmpty();
  }

  private static <T extends io.fabric8.kubernetes.client.CustomResource<?, ?>> String apply(
      KubernetesClient client, String namespace, Class<T> type, T desired) {
    desired.getMetadata().setNamespace(namespace);
    var resource = client.resources(type).inNamespace(namespace).withName(desired.getMetadata().getName());
    T existing = resource.get();
    if (existing == null) {
      client.resources(type).inNamespace(namespace).resource(desired).create();
      return "created";
    }
    boolean same = Json.JSON.valueToTree(existing.getSpec()).equals(Json.JSON.valueToTree(desired.getSpec()))
        && Objects.equals(existing.getMetadata().getLabels(), desired.getMetadata().getLabels())
        && Objects.equals(existing.getMetadata().getAnnotations(), desired.getMetadata().getAnnotations());
    if (same) {
      return "unchanged";
    }
    resource.edit(current -> {
      copySpec(current, desired);
      current.getMetadata().setLabels(desired.getMetadata().getLabels());
      current.getMetadata().setAnnotations(desired.getMetadata().getAnnotations());
      return current;
    });
    return "configured";
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void copySpec(io.fabric8.kubernetes.client.CustomResource current,
      io.fabric8.kubernetes.client.CustomResource desired) {
    current.setSpec(desired.getSpec());
  }
}

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

  /**
   * Reads policies as a strict API server would: unknown fields, fractional integers and strings where a number or
   * a boolean belongs ({@code maximumSize: "100"}) are errors. A copy of the contract's mapper, which stays lenient.
   */
  private static final com.fasterxml.jackson.databind.ObjectMapper STRICT =
      ((com.fasterxml.jackson.databind.json.JsonMapper) Json.JSON).rebuild()
          .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(com.fasterxml.jackson.databind.DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build();
  /** The only apiVersion of Cacheplane's kinds. */
  public static final String API_VERSION = "cacheplane.io/v1alpha1";
  private static final java.util.regex.Pattern OBJECT_NAME =
      java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");

  private Manifests() {}

  /**
   * Reads every CachePolicy and RoutePolicy of a multi-document YAML file, in any namespace; see
   * {@link #read(Path, String)}.
   */
  public static List<HasMetadata> read(Path file) throws IOException {
    return read(file, null);
  }

  /**
   * Reads every CachePolicy and RoutePolicy of a multi-document YAML file. Empty documents (only comments, or
   * {@code ---} alone) are skipped, so a file of only those gives an empty list.
   *
   * @param namespace the namespace the policies go to: a {@code metadata.namespace} naming another one is refused;
   *     {@code null} accepts any
   * @throws IOException when the file cannot be read or is not YAML
   * @throws IllegalArgumentException naming the document (1-based) when a document is not a mapping (a list, a
   *     scalar), has another kind or apiVersion, or a bad name or namespace
   */
  public static List<HasMetadata> read(Path file, String namespace) throws IOException {
    List<HasMetadata> policies = new ArrayList<>();
    // a parser of our own: a reader's iterator would unwrap a top-level list into documents
    try (com.fasterxml.jackson.core.JsonParser parser = Json.YAML.createParser(Files.readString(file));
         MappingIterator<JsonNode> docs = Json.YAML.readerFor(JsonNode.class).readValues(parser)) {
      int n = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        n++;
        if (doc == null || doc.isNull() || doc.isMissingNode() || doc.isObject() && doc.isEmpty()
            || doc.isTextual() && doc.asText().isEmpty()) { // an empty document reads as ""

          continue;
        }
        if (!doc.isObject()) {
          throw new IllegalArgumentException("document " + n + " is " + (doc.isArray() ? "a list" : "a scalar ("
              + truncate(doc.asText()) + ")") + ", not a manifest (a mapping with apiVersion, kind, metadata and spec)");
        }
        String kind = doc.path("kind").asText();
        HasMetadata policy;
        if (CacheplaneApi.KIND_CACHE_POLICY.equals(kind)) {
          policy = STRICT.treeToValue(doc, CachePolicy.class);
        } else if (CacheplaneApi.KIND_ROUTE_POLICY.equals(kind)) {
          policy = STRICT.treeToValue(doc, RoutePolicy.class);
        } else {
          throw new IllegalArgumentException("document " + n + " has kind \"" + kind
              + "\": local mode applies only CachePolicy and RoutePolicy");
        }
        String apiVersion = doc.path("apiVersion").asText();
        if (!API_VERSION.equals(apiVersion)) {
          throw new IllegalArgumentException("document " + n + ": apiVersion of a " + kind + " must be "
              + API_VERSION + ", got \"" + truncate(apiVersion) + "\"");
        }
        String name = policy.getMetadata() == null ? null : policy.getMetadata().getName();
        if (name == null || name.length() > 253 || !OBJECT_NAME.matcher(name).matches()) {
          throw new IllegalArgumentException("document " + n + ": metadata.name must be a DNS-1123 subdomain "
              + "(lower-case letters, digits, '-' and '.', at most 253 characters), got \""
              + (name == null ? null : truncate(name)) + "\"");
        }
        String ns = policy.getMetadata().getNamespace();
        if (namespace != null && ns != null && !ns.equals(namespace)) {
          throw new IllegalArgumentException("document " + n + ": metadata.namespace is \"" + truncate(ns)
              + "\" but local mode serves namespace \"" + namespace + "\" (drop metadata.namespace, or start "
              + "local mode with --namespace " + truncate(ns) + ")");
        }
        policies.add(policy);
      }
    }
    return policies;
  }

  /**
   * A one-line description of why a manifest could not be read or applied: for YAML and type errors the line and
   * column and the field path, as a user needs them to fix the file.
   */
  public static String describe(Exception e) {
    if (!(e instanceof com.fasterxml.jackson.core.JsonProcessingException)
        && e.getCause() instanceof com.fasterxml.jackson.core.JsonProcessingException cause) {
      return describe(cause); // MappingIterator wraps parse errors
    }
    if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
      String path = m.getPath().stream()
          .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(java.util.stream.Collectors.joining()).replaceFirst("^\\.", "");
      return at(m.getLocation()) + path + ": " + firstLine(m.getOriginalMessage());
    }
    if (e instanceof com.fasterxml.jackson.core.JsonProcessingException p) {
      // SnakeYAML's own message names the exact position ("in 'reader', line 3, column 1") on a later line
      String message = oneLine(p.getOriginalMessage());
      return message.contains(" line ") ? message : at(p.getLocation()) + message;
    }
    if (e instanceof java.nio.charset.CharacterCodingException) {
      return "the file is not UTF-8 text";
    }
    if (e instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getStatus() != null) {
      return firstLine(k.getStatus().getMessage());
    }
    return firstLine(e.getMessage());
  }

  private static String truncate(String text) {
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }

  private static String at(com.fasterxml.jackson.core.JsonLocation location) {
    return location == null || location.getLineNr() < 1 ? ""
        : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
  }

  private static String oneLine(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return line.length() <= 300 ? line : line.substring(0, 297) + "...";
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
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
    // edit() patches the version it read (resourceVersion in the patch): a status write by the operator in between
    // makes it fail with 409 Conflict, so read again and retry, as kubectl does
    for (int attempt = 1; ; attempt++) {
      try {
        resource.edit(current -> {
          copySpec(current, desired);
          current.getMetadata().setLabels(desired.getMetadata().getLabels());
          current.getMetadata().setAnnotations(desired.getMetadata().getAnnotations());
          return current;
        });
        return "configured";
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == MAX_CONFLICT_RETRIES) {
          throw e;
        }
      }
    }
  }

  /** Attempts of an edit that keeps conflicting with other writers (the operator's status writes) before giving up. */
  private static final int MAX_CONFLICT_RETRIES = 5;

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void copySpec(io.fabric8.kubernetes.client.CustomResource current,
      io.fabric8.kubernetes.client.CustomResource desired) {
    current.setSpec(desired.getSpec());
  }
}

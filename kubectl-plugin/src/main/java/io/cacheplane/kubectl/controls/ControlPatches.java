package io.cacheplane.kubectl.controls;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cacheplane.api.contract.Json;

/**
 * The JSON merge patches (RFC 7386) the control commands send. They touch only {@code metadata.annotations} (the
 * control tokens of DESIGN.md's "Controls") or {@code spec.paused}; never {@code status}, never anything else, so
 * GitOps tools see no drift in the fields they own.
 */
public final class ControlPatches {

  private ControlPatches() {}

  /**
   * {@code {"metadata":{"annotations":{"<annotation>":"<token>"}}}}.
   *
   * @param annotation e.g. {@code cacheplane.io/promote}
   * @param token a value the policy has not had before (the operator acts once per new value)
   */
  public static String annotation(String annotation, String token) {
    ObjectNode root = Json.JSON.createObjectNode();
    root.putObject("metadata").putObject("annotations").put(annotation, token);
    return write(root);
  }

  /** {@code {"spec":{"paused":<paused>}}}. */
  public static String paused(boolean paused) {
    ObjectNode root = Json.JSON.createObjectNode();
    root.putObject("spec").put("paused", paused);
    return write(root);
  }

  private static String write(ObjectNode node) {
    try {
      return Json.JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a patch of strings and booleans is always JSON", e);
    }
  }
}

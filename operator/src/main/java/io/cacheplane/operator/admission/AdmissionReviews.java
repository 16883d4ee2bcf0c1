package io.cacheplane.operator.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.contract.Json;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.util.Set;

/**
 * The HTTP exchange of the webhook as a pure function: the request body (an {@code AdmissionReview} with a
 * {@code request}) → an HTTP {@link Reply} (an {@code AdmissionReview} with the {@code response} of
 * {@link PolicyAdmission#review}). The reply's {@code apiVersion} is the request's: {@code admission.k8s.io/v1} or
 * {@code admission.k8s.io/v1beta1} (their shapes are the same; Kubernetes 1.20 sends v1 when both are offered).
 * <p>A body that is not such a review gets HTTP 400 with a plain-text reason (empty, not JSON, duplicate keys, another
 * kind or apiVersion, no {@code request}, no {@code request.uid}); a body over the limit gets HTTP 413. The API server
 * treats both as a failed call (see the chart's {@code failurePolicy}).
 */
public final class AdmissionReviews {

  /** {@code admission.k8s.io/v1}. */
  public static final String V1 = "admission.k8s.io/v1";
  /** {@code admission.k8s.io/v1beta1}. */
  public static final String V1BETA1 = "admission.k8s.io/v1beta1";
  private static final Set<String> API_VERSIONS = Set.of(V1, V1BETA1);
  private static final String KIND = "AdmissionReview";

  /**
   * Default bound of a request body, in bytes: 4 MiB, room for {@code object} and {@code oldObject} of the largest
   * object etcd stores (its default request limit is 1.5 MiB) plus the review's own fields.
   */
  public static final int DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private AdmissionReviews() {}

  /**
   * An HTTP reply.
   *
   * @param status the HTTP status: 200 (a review), 400 (malformed), 413 (too large)
   * @param contentType {@code application/json} or {@code text/plain; charset=utf-8}
   * @param body the body, UTF-8
   * @param response the admission response of a 200 reply, {@code null} otherwise (for logs and metrics)
   */
  public record Reply(int status, String contentType, String body, AdmissionResponse response) {}

  /**
   * Answers one request body.
   *
   * @param body the raw body; {@code null} is treated as empty
   * @param maxBodyBytes largest body accepted, in bytes
   * @return the reply; never throws on any input
   */
  public static Reply handle(byte[] body, int maxBodyBytes) {
    if (body == null || body.length == 0) {
      return badRequest("empty body: expected an AdmissionReview (" + V1 + " or " + V1BETA1 + ")");
    }
    if (body.length > maxBodyBytes) {
      return tooLarge(maxBodyBytes);
    }
    JsonNode tree;
    try {
      tree = Json.JSON.readTree(body);
    } catch (IOException e) {
      return badRequest("body is not JSON: " + oneLine(e instanceof JsonProcessingException j
          ? j.getOriginalMessage() : e.getMessage()));
    }
    if (tree == null || !tree.isObject()) {
      return badRequest("body is not a JSON object: expected an AdmissionReview");
    }
    String apiVersion = tree.path("apiVersion").asText("");
    if (!KIND.equals(tree.path("kind").asText("")) || !API_VERSIONS.contains(apiVersion)) {
      return badRequest("expected kind AdmissionReview with apiVersion " + V1 + " or " + V1BETA1 + ", got kind \""
          + oneLine(tree.path("kind").asText("")) + "\" apiVersion \"" + oneLine(apiVersion) + "\"");
    }
    JsonNode request = tree.get("request");
    if (request == null || !request.isObject()) {
      return badRequest("AdmissionReview has no request object");
    }
    if (!request.path("uid").isTextual() || request.path("uid").asText().isBlank()) {
      return badRequest("AdmissionReview request has no uid");
    }
    AdmissionReview review;
    try {
      review = SERIALIZATION.convertValue(tree, AdmissionReview.class);
    } catch (IllegalArgumentException e) {
      return badRequest("cannot read the AdmissionReview: " + oneLine(e.getMessage()));
    }
    AdmissionResponse response = PolicyAdmission.review(review.getRequest());
    AdmissionReview answer = new AdmissionReview();
    answer.setApiVersion(apiVersion);
    answer.setKind(KIND);
    answer.setResponse(response);
    return new Reply(200, "application/json", SERIALIZATION.asJson(answer), response);
  }

  /** The 413 reply for a body over {@code maxBodyBytes} (the server stops reading at the limit). */
  public static Reply tooLarge(int maxBodyBytes) {
    return new Reply(413, "text/plain; charset=utf-8",
        "body too large: an AdmissionReview of at most " + maxBodyBytes + " bytes is accepted\n", null);
  }

  private static Reply badRequest(String why) {
    return new Reply(400, "text/plain; charset=utf-8", why + "\n", null);
  }

  /** One line of at most 300 characters (no echo of a hostile body). */
  private static String oneLine(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return line.length() <= 300 ? line : line.substring(0, 297) + "...";
  }
}

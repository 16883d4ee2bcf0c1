package io.cacheplane.operator.admission;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.api.validation.PolicyValidator;
import io.cacheplane.api.validation.Violation;
import io.fabric8.kubernetes.api.model.GroupVersionKind;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The admission decision for one request, as a pure function: {@link AdmissionRequest} → {@link AdmissionResponse}.
 * It runs the reconciler's own validator ({@link PolicyValidator}), so the webhook refuses exactly the specs the
 * operator would mark {@code Invalid}, before they are stored.
 * <ul>
 *   <li>Operations other than {@code CREATE} and {@code UPDATE} (DELETE, CONNECT) are allowed.</li>
 *   <li>Kinds other than {@code cacheplane.io} CachePolicy / RoutePolicy are allowed (the webhook configuration only
 *       sends those two; anything else is not ours to judge).</li>
 *   <li>An {@code UPDATE} whose spec is unchanged (labels, annotations such as {@code cacheplane.io/promote},
 *       finalizers) or of an object being deleted is allowed even when the stored spec is invalid: a policy stored
 *       before the webhook existed can still be promoted, aborted, labelled or deleted (Kubernetes calls this
 *       "ratcheting"); the reconciler keeps reporting it {@code Invalid}.</li>
 *   <li>A spec with violations is denied with Kubernetes' own shape of a validation error: {@code status.code 422},
 *       {@code reason Invalid}, {@code message} {@code <Kind>.cacheplane.io "<name>" is invalid: <field>: <rule>; ...}
 *       (every violation, bounded by {@link #MAX_MESSAGE_LENGTH}) and {@code details.causes}, one per violation
 *       ({@code field}, {@code message}, {@code reason FieldValueInvalid}), at most {@link #MAX_CAUSES}.</li>
 *   <li>An object that cannot be read as the kind it claims is denied with {@code code 400}, {@code reason
 *       BadRequest}.</li>
 * </ul>
 * Dry-run requests get the same answer (the webhook has no side effects). References from a RoutePolicy to
 * CachePolicies are not checked: the referenced policy may be created later (the reconciler reports it missing).
 */
public final class PolicyAdmission {

  /** {@code metav1.StatusReasonInvalid}. */
  public static final String REASON_INVALID = "Invalid";
  /** HTTP 422, the code Kubernetes gives {@link #REASON_INVALID}. */
  public static final int CODE_INVALID = 422;
  /** {@code metav1.StatusReasonBadRequest}. */
  public static final String REASON_BAD_REQUEST = "BadRequest";
  /** HTTP 400, the code of {@link #REASON_BAD_REQUEST}. */
  public static final int CODE_BAD_REQUEST = 400;
  /** {@code metav1.CauseTypeFieldValueInvalid}, the reason of each cause. */
  public static final String CAUSE_FIELD_VALUE_INVALID = "FieldValueInvalid";
  /** Longest {@code status.message}, in characters; later violations are counted ({@code "... and 3 more"}). */
  public static final int MAX_MESSAGE_LENGTH = 16 * 1024;
  /** Most {@code status.details.causes} in one response. */
  public static final int MAX_CAUSES = 1000;

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private PolicyAdmission() {}

  /**
   * The response to {@code request}: allowed, or denied as described in the class comment.
   *
   * @param request a request with a {@code uid} (checked by {@link AdmissionReviews})
   * @return a response carrying the request's {@code uid}
   * @throws NullPointerException when {@code request} is null
   */
  public static AdmissionResponse review(AdmissionRequest request) {
    Objects.requireNonNull(request, "request");
    String uid = request.getUid();
    String operation = request.getOperation();
    if (!"CREATE".equals(operation) && !"UPDATE".equals(operation)) {
      return allowed(uid);
    }
    Class<?> type = policyType(request.getKind());
    if (type == null) {
      return allowed(uid);
    }
    String kind = request.getKind().getKind();
    if (request.getObject() == null) {
      return denied(uid, CODE_BAD_REQUEST, REASON_BAD_REQUEST, kind, request.getName(),
          "request.object is missing for " + operation, List.of());
    }
    JsonNode object;
    List<Violation> violations;
    try {
      object = SERIALIZATION.convertValue(request.getObject(), JsonNode.class);
      violations = type == CachePolicy.class
          ? PolicyValidator.validate(SERIALIZATION.convertValue(object, CachePolicy.class).getSpec())
          : PolicyValidator.validate(SERIALIZATION.convertValue(object, RoutePolicy.class).getSpec());
    } catch (IllegalArgumentException e) {
      return denied(uid, CODE_BAD_REQUEST, REASON_BAD_REQUEST, kind, request.getName(),
          "cannot read the object as a " + kind + ": " + rootMessage(e), List.of());
    }
    if (violations.isEmpty()) {
      return allowed(uid);
    }
    if ("UPDATE".equals(operation) && (beingDeleted(object) || specUnchanged(object, request.getOldObject()))) {
      return allowed(uid);
    }
    String name = request.getName() != null && !request.getName().isBlank() ? request.getName()
        : object.path("metadata").path("name").asText(object.path("metadata").path("generateName").asText(""));
    return denied(uid, CODE_INVALID, REASON_INVALID, kind, name, null, violations);
  }

  /** The model class of a kind this webhook judges, or {@code null}. */
  private static Class<?> policyType(GroupVersionKind kind) {
    if (kind == null || !CacheplaneApi.GROUP.equals(kind.getGroup())
        || !CacheplaneApi.VERSION.equals(kind.getVersion())) {
      return null;
    }
    if (CacheplaneApi.KIND_CACHE_POLICY.equals(kind.getKind())) {
      return CachePolicy.class;
    }
    if (CacheplaneApi.KIND_ROUTE_POLICY.equals(kind.getKind())) {
      return RoutePolicy.class;
    }
    return null;
  }

  private static boolean beingDeleted(JsonNode object) {
    JsonNode deletion = object.path("metadata").path("deletionTimestamp");
    return deletion.isTextual() && !deletion.asText().isBlank();
  }

  private static boolean specUnchanged(JsonNode object, Object oldObject) {
    if (oldObject == null) {
      return false;
    }
    try {
      JsonNode old = SERIALIZATION.convertValue(oldObject, JsonNode.class);
      return spec(old).equals(spec(object));
    } catch (IllegalArgumentException e) {
      return false; // an unreadable old object never excuses the new one
    }
  }

  private static JsonNode spec(JsonNode object) {
    JsonNode spec = object.get("spec");
    return spec == null ? NullNode.getInstance() : spec;
  }

  private static AdmissionResponse allowed(String uid) {
    return new AdmissionResponseBuilder().withUid(uid).withAllowed(true).build();
  }

  /**
   * A denial; with violations, the message lists them after {@code <Kind>.cacheplane.io "<name>" is invalid: }, else
   * it is {@code detail}.
   */
  private static AdmissionResponse denied(String uid, int code, String reason, String kind, String name, String detail,
      List<Violation> violations) {
    String qualified = kind + "." + CacheplaneApi.GROUP;
    String message;
    List<StatusCause> causes = new ArrayList<>();
    if (violations.isEmpty()) {
      message = qualified + " \"" + nullToEmpty(name) + "\": " + detail;
    } else {
      message = join(qualified + " \"" + nullToEmpty(name) + "\" is invalid: ", violations);
      for (Violation v : violations.subList(0, Math.min(violations.size(), MAX_CAUSES))) {
        StatusCause cause = new StatusCause();
        cause.setField(v.field());
        cause.setMessage(v.message());
        cause.setReason(CAUSE_FIELD_VALUE_INVALID);
        causes.add(cause);
      }
    }
    Status status = new StatusBuilder()
        .withStatus("Failure")
        .withCode(code)
        .withReason(reason)
        .withMessage(message)
        .withNewDetails()
          .withGroup(CacheplaneApi.GROUP)
          .withKind(kind)
          .withName(name == null || name.isBlank() ? null : name)
          .withCauses(causes.isEmpty() ? null : causes)
        .endDetails()
        .build();
    return new AdmissionResponseBuilder().withUid(uid).withAllowed(false).withStatus(status).build();
  }

  /** {@code prefix} + violations joined by {@code "; "}, stopping before {@link #MAX_MESSAGE_LENGTH}. */
  static String join(String prefix, List<Violation> violations) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < violations.size(); i++) {
      String item = violations.get(i).toString();
      String sep = i == 0 ? "" : "; ";
      String more = "; ... and " + (violations.size() - i) + " more";
      if (sb.length() + sep.length() + item.length() + more.length() > MAX_MESSAGE_LENGTH) {
        if (i == 0) {
          return sb.append(item, 0, Math.max(0, MAX_MESSAGE_LENGTH - sb.length() - 3)).append("...").toString();
        }
        return sb.append(more).toString();
      }
      sb.append(sep).append(item);
    }
    return sb.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String text = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    String line = text.replaceAll("\\s+", " ").trim();
    return line.length() <= 512 ? line : line.substring(0, 509) + "...";
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}

package io.cacheplane.operator.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cacheplane.api.contract.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook's exchange, body → reply, as a table: what is allowed, what is denied and how, what is malformed. */
class AdmissionReviewsTest {

  private static final int MAX = AdmissionReviews.DEFAULT_MAX_BODY_BYTES;

  private static final String VALID_CACHE_SPEC = """
      {"cache": {"maximumSize": 100, "expireAfterWrite": "5m"}, "rollout": {"steps": [{"setWeight": 100}]}}""";
  private static final String BOTH_BOUNDS = """
      {"cache": {"maximumSize": 100, "maximumWeight": "10Mi"}}""";
  private static final String THREE_VIOLATIONS = """
      {"cache": {"maximumSize": 100, "maximumWeight": "10Mi"}, "scopeHeader": "X-Tenant",
       "key": {"headers": ["Accept", "accept"]}}""";
  private static final String VALID_ROUTE_SPEC = """
      {"routes": [{"name": "a", "match": {"pathPrefix": "/a"}, "backends": [{"service": "s", "port": 80}]}]}""";
  private static final String WEIGHTS_NOT_100 = """
      {"routes": [{"name": "a", "match": {"pathPrefix": "/a"},
        "backends": [{"service": "s", "port": 80, "weight": 60}, {"service": "t", "port": 80, "weight": 30}]}]}""";

  /** An expected denial: status code, reason, fields of the causes (in order) and text the message holds. */
  record Denial(int code, String reason, List<String> causeFields, List<String> messageParts) {}

  static Stream<Arguments> reviews() {
    return Stream.of(
        row("valid CachePolicy is allowed", review("CREATE", "CachePolicy", VALID_CACHE_SPEC), null),
        row("valid RoutePolicy is allowed", review("CREATE", "RoutePolicy", VALID_ROUTE_SPEC), null),
        row("maximumSize with maximumWeight is denied with the field path",
            review("CREATE", "CachePolicy", BOTH_BOUNDS),
            new Denial(422, "Invalid", List.of("spec.cache.maximumWeight"), List.of(
                "CachePolicy.cacheplane.io \"p\" is invalid: spec.cache.maximumWeight: maximumSize and maximumWeight"
                    + " are mutually exclusive"))),
        row("every violation is listed",
            review("CREATE", "CachePolicy", THREE_VIOLATIONS),
            new Denial(422, "Invalid", List.of("spec.cache.maximumWeight", "spec.key.headers[1]", "spec.scopeHeader"),
                List.of("spec.cache.maximumWeight: ", "; spec.key.headers[1]: duplicate header", "; spec.scopeHeader: is only allowed"))),
        row("RoutePolicy weights not summing to 100 are denied",
            review("CREATE", "RoutePolicy", WEIGHTS_NOT_100),
            new Denial(422, "Invalid", List.of("spec.routes[0].backends"), List.of(
                "RoutePolicy.cacheplane.io \"p\" is invalid: spec.routes[0].backends: weights must sum to 100, got 90"))),
        row("a policy without spec is denied", review("CREATE", "CachePolicy", null),
            new Denial(422, "Invalid", List.of("spec"), List.of("spec: "))),
        row("an object that is not a CachePolicy is a bad request",
            review("CREATE", "CachePolicy", "\"just a string\""),
            new Denial(400, "BadRequest", List.of(), List.of("cannot read the object as a CachePolicy"))),
        row("a CREATE without object is a bad request", review("CREATE", "CachePolicy", null, null, false, false),
            new Denial(400, "BadRequest", List.of(), List.of("request.object is missing"))),
        row("DELETE is allowed even of an invalid policy", review("DELETE", "CachePolicy", BOTH_BOUNDS), null),
        row("CONNECT is allowed", review("CONNECT", "CachePolicy", BOTH_BOUNDS), null),
        row("an unknown kind is allowed", reviewOf("", "v1", "ConfigMap", "{\"data\": {\"a\": \"b\"}}"), null),
        row("another version of our group is allowed", reviewOf("cacheplane.io", "v1beta9", "CachePolicy",
            "{\"spec\": " + BOTH_BOUNDS + "}"), null),
        row("a dry run is judged the same", review("CREATE", "CachePolicy", BOTH_BOUNDS, null, true, true),
            new Denial(422, "Invalid", List.of("spec.cache.maximumWeight"), List.of("mutually exclusive"))),
        row("an UPDATE to an invalid spec is denied",
            review("UPDATE", "CachePolicy", BOTH_BOUNDS, VALID_CACHE_SPEC, false, true),
            new Denial(422, "Invalid", List.of("spec.cache.maximumWeight"), List.of("mutually exclusive"))),
        row("an UPDATE that keeps an invalid spec (labels, promote) is allowed",
            review("UPDATE", "CachePolicy", BOTH_BOUNDS, BOTH_BOUNDS, false, true), null),
        row("an UPDATE of a policy being deleted is allowed",
            deleting(review("UPDATE", "CachePolicy", BOTH_BOUNDS, VALID_CACHE_SPEC, false, true)), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reviews")
  void answersEachReview(String what, String body, Denial expected) throws Exception {
    AdmissionReviews.Reply reply = AdmissionReviews.handle(body.getBytes(StandardCharsets.UTF_8), MAX);

    assertThat(reply.status()).as(reply.body()).isEqualTo(200);
    assertThat(reply.contentType()).isEqualTo("application/json");
    JsonNode answer = Json.JSON.readTree(reply.body());
    assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = answer.path("response");
    assertThat(response.path("uid").asText()).isEqualTo("0c5f4a2e-1111-2222-3333-444455556666");
    if (expected == null) {
      assertThat(response.path("allowed").asBoolean()).as(reply.body()).isTrue();
      assertThat(response.has("status")).as(reply.body()).isFalse();
      return;
    }
    assertThat(response.path("allowed").isBoolean()).isTrue();
    assertThat(response.path("allowed").asBoolean()).as(reply.body()).isFalse();
    JsonNode status = response.path("status");
    assertThat(status.path("code").asInt()).as(reply.body()).isEqualTo(expected.code());
    assertThat(status.path("reason").asText()).isEqualTo(expected.reason());
    assertThat(status.path("message").asText()).as(reply.body()).contains(expected.messageParts());
    List<String> fields = new ArrayList<>();
    status.path("details").path("causes").forEach(c -> {
      fields.add(c.path("field").asText());
      assertThat(c.path("reason").asText()).isEqualTo("FieldValueInvalid");
      assertThat(status.path("message").asText()).contains(c.path("field").asText() + ": " + c.path("message").asText());
    });
    assertThat(fields).as(reply.body()).isEqualTo(expected.causeFields());
  }

  static Stream<Arguments> malformed() {
    String valid = review("CREATE", "CachePolicy", VALID_CACHE_SPEC);
    return Stream.of(
        Arguments.of("empty body", "", "empty body"),
        Arguments.of("not JSON", "{\"apiVersion\": ", "body is not JSON"),
        Arguments.of("a JSON array", "[1, 2]", "not a JSON object"),
        Arguments.of("duplicate keys", "{\"kind\": \"AdmissionReview\", \"kind\": \"Pod\"}", "Duplicate field"),
        Arguments.of("another kind", valid.replace("\"kind\": \"AdmissionReview\"", "\"kind\": \"Pod\""),
            "got kind \"Pod\""),
        Arguments.of("an unknown apiVersion", valid.replace("admission.k8s.io/v1", "admission.k8s.io/v2"),
            "apiVersion \"admission.k8s.io/v2\""),
        Arguments.of("no request", "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}",
            "no request object"),
        Arguments.of("no uid", valid.replace("\"uid\": \"0c5f4a2e-1111-2222-3333-444455556666\",", ""), "no uid"),
        Arguments.of("a request of the wrong shape", valid.replace("\"operation\": \"CREATE\"",
            "\"operation\": {\"x\": 1}"), "cannot read the AdmissionReview"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("malformed")
  void refusesAMalformedReviewWith400(String what, String body, String reason) {
    AdmissionReviews.Reply reply = AdmissionReviews.handle(body.getBytes(StandardCharsets.UTF_8), MAX);

    assertThat(reply.status()).as(reply.body()).isEqualTo(400);
    assertThat(reply.contentType()).startsWith("text/plain");
    assertThat(reply.body()).contains(reason);
    assertThat(reply.response()).isNull();
  }

  @Test
  void refusesABodyOverTheLimitWith413() {
    byte[] body = review("CREATE", "CachePolicy", VALID_CACHE_SPEC).getBytes(StandardCharsets.UTF_8);

    assertThat(AdmissionReviews.handle(body, body.length).status()).isEqualTo(200);
    AdmissionReviews.Reply over = AdmissionReviews.handle(body, body.length - 1);
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.body()).contains("at most " + (body.length - 1) + " bytes");
  }

  @Test
  void answersAV1beta1ReviewAsV1beta1() throws Exception {
    String body = review("CREATE", "CachePolicy", BOTH_BOUNDS).replace("admission.k8s.io/v1", "admission.k8s.io/v1beta1");

    AdmissionReviews.Reply reply = AdmissionReviews.handle(body.getBytes(StandardCharsets.UTF_8), MAX);

    JsonNode answer = Json.JSON.readTree(reply.body());
    assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
    assertThat(answer.path("response").path("allowed").asBoolean(true)).isFalse();
  }

  @Test
  void boundsTheMessageAndCountsWhatIsLeftOut() {
    StringBuilder routes = new StringBuilder();
    for (int i = 0; i < 400; i++) {
      routes.append(i == 0 ? "" : ", ").append("{\"name\": \"r").append(i)
          .append("\", \"match\": {\"pathPrefix\": \"/a\"}, \"backends\": [{\"service\": \"s\", \"port\": 80,"
              + " \"weight\": 1}]}");
    }
    String spec = "{\"routes\": [" + routes + "]}";

    AdmissionReviews.Reply reply = AdmissionReviews.handle(review("CREATE", "RoutePolicy", spec)
        .getBytes(StandardCharsets.UTF_8), MAX);

    String message = reply.response().getStatus().getMessage();
    assertThat(message.length()).isLessThanOrEqualTo(PolicyAdmission.MAX_MESSAGE_LENGTH);
    assertThat(message).containsPattern("; \\.\\.\\. and \\d+ more$")
        .contains("spec.routes[0].backends: weights must sum to 100, got 1")
        .doesNotContain("spec.routes[399]");
    assertThat(reply.response().getStatus().getDetails().getCauses()).hasSize(400);
  }

  private static Arguments row(String what, String body, Denial expected) {
    return Arguments.of(what, body, expected);
  }

  private static String review(String operation, String kind, String spec) {
    return review(operation, kind, spec, null, false, true);
  }

  /** A review of a cacheplane.io/v1alpha1 {@code kind} named p; {@code spec} null = no spec (or no object). */
  private static String review(String operation, String kind, String spec, String oldSpec, boolean dryRun,
      boolean withObject) {
    String object = !withObject ? null : spec != null && spec.startsWith("\"") ? spec : policy(kind, spec);
    String old = oldSpec == null ? null : policy(kind, oldSpec);
    return body("cacheplane.io", "v1alpha1", kind, operation, object, old, dryRun);
  }

  private static String policy(String kind, String spec) {
    return "{\"apiVersion\": \"cacheplane.io/v1alpha1\", \"kind\": \"" + kind + "\", \"metadata\": {\"name\": \"p\","
        + " \"namespace\": \"ns\"}" + (spec == null ? "" : ", \"spec\": " + spec) + "}";
  }

  private static String reviewOf(String group, String version, String kind, String objectFields) {
    String object = "{\"apiVersion\": \"" + (group.isEmpty() ? version : group + "/" + version) + "\", \"kind\": \""
        + kind + "\", \"metadata\": {\"name\": \"p\"}, " + objectFields.substring(1);
    return body(group, version, kind, "CREATE", object, null, false);
  }

  private static String deleting(String review) {
    return review.replaceFirst("\"metadata\": \\{\"name\": \"p\",",
        "\"metadata\": {\"name\": \"p\", \"deletionTimestamp\": \"2026-01-01T00:00:00Z\",");
  }

  private static String body(String group, String version, String kind, String operation, String object, String old,
      boolean dryRun) {
    return """
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
         "request": {"uid": "0c5f4a2e-1111-2222-3333-444455556666",
          "kind": {"group": "%s", "version": "%s", "kind": "%s"},
          "resource": {"group": "%s", "version": "%s", "resource": "%s"},
          "name": "p", "namespace": "ns", "operation": "%s",
          "userInfo": {"username": "alice"}, "dryRun": %s%s%s}}""".formatted(group, version, kind, group, version,
        kind.toLowerCase() + "s", operation, dryRun,
        object == null ? "" : ", \"object\": " + object, old == null ? "" : ", \"oldObject\": " + old);
  }
}

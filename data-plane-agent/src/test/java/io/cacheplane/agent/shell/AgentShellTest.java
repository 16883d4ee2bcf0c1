package io.cacheplane.agent.shell;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.cacheplane.agent.ProxyLimits;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Quarkus shell boots with an API server that cannot be reached (see the %test profile): the agent starts, the
 * proxy serves, health and metrics answer on the management port.
 */
@QuarkusTest
class AgentShellTest {

  @Inject
  AgentLifecycle lifecycle;

  @Test
  void readyAndServingWithoutTheApiServer() throws Exception {
    given().when().get("/q/health/live").then().statusCode(200);
    given().when().get("/q/health/ready").then().statusCode(200)
        .body("checks.find { it.name == 'cacheplane-proxy' }.status", equalTo("UP"));

    int port = lifecycle.agent().trafficPort();
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nothing")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(r.body()).contains("no route for GET /nothing");
    assertThat(lifecycle.agent().settings().agentId()).isEqualTo("quarkus-test-agent");
    assertThat(lifecycle.agent().settings().files().stateDir()).as("cacheplane.agent.state-dir")
        .isEqualTo(Path.of("target/quarkus-test-agent-state"));

    given().when().get("/q/metrics").then().statusCode(200)
        .body(containsString("cacheplane_requests_total"));
  }

  @Test
  void purgeEndpointOnTheManagementPortNeedsTheBearerToken() throws Exception {
    java.nio.file.Path token = java.nio.file.Path.of("target/quarkus-test-purge-token");
    java.nio.file.Files.createDirectories(token.getParent());
    java.nio.file.Files.writeString(token, "shell-token\n");
    try {
      given().when().post("/purge/pages?prefix=/").then().statusCode(401)
          .header("WWW-Authenticate", equalTo("Bearer"));
      given().header("Authorization", "Bearer wrong").when().post("/purge/pages?prefix=/").then().statusCode(401);
      given().header("Authorization", "Bearer shell-token").when().post("/purge/pages?prefix=/").then()
          .statusCode(404).contentType("application/json")
          .body("error", equalTo("no cache of that name is applied on this agent"));
      given().header("Authorization", "Bearer shell-token").when().post("/purge/pages").then().statusCode(400);
    } finally {
      java.nio.file.Files.deleteIfExists(token);
    }
    given().header("Authorization", "Bearer shell-token").when().post("/purge/pages?prefix=/").then()
        .statusCode(503);
    int port = lifecycle.agent().trafficPort();
    HttpResponse<String> traffic = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/purge/pages?prefix=/"))
            .POST(HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer shell-token").build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(traffic.body()).as("never on the traffic port").contains("no route for POST /purge/pages");
  }

  @Test
  void limitsComeFromTheConfiguration() {
    ProxyLimits limits = lifecycle.agent().settings().limits();
    assertThat(limits.maxUriLength()).as("%test profile").isEqualTo(2048);
    assertThat(limits.maxRequestBody()).as("%test profile, 1Mi").isEqualTo(1024 * 1024);
    assertThat(limits.maxHeaderSize()).as("default 8Ki").isEqualTo(8192);
    assertThat(limits.clientIdleTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(lifecycle.agent().settings().files().upstreamCaFile()).as("empty: JVM defaults").isNull();
  }
}

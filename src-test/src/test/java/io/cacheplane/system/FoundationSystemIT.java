package io.cacheplane.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.local.LocalCluster;
import io.cacheplane.local.Manifests;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The foundation scenario end to end on the mock server: operator, two agents and an upstream in one JVM,
 * driven only through the Kubernetes API, observed only through HTTP and status — as a user would.
 * The steps build on each other, so they run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FoundationSystemIT {

  private static final Duration CONVERGE = Duration.ofSeconds(20);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static LocalCluster cluster;
  private static String firstCacheRevision;

  @BeforeAll
  static void start() throws IOException {
    cluster = LocalCluster.start(2, "default");
    for (String file : List.of("cachepolicy-product-pages.yaml", "routepolicy-storefront.yaml")) {
      for (HasMetadata policy : Manifests.read(Path.of("..", "examples", file))) {
        assertThat(Manifests.apply(cluster.client(), "default", policy)).isEqualTo("created");
      }
    }
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Order(1)
  void examplesArePublishedAndAppliedByBothAgents() {
    await().atMost(CONVERGE).untilAsserted(() -> {
      assertThat(ready(cachePolicy().getStatus())).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
      assertThat(ready(routePolicy().getStatus())).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
    });
    firstCacheRevision = cachePolicy().getStatus().getStableRevision();
    assertThat(firstCacheRevision).matches("[0-9a-f]{16}");
    assertThat(cluster.client().configMaps().inNamespace("default").withName("cachepolicy-product-pages").get()
        .getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "cacheplane-operator");
    for (Agent agent : cluster.agents()) {
      await().atMost(CONVERGE).untilAsserted(() -> {
        assertThat(applied(agent, "CachePolicy", "product-pages")).isEqualTo(firstCacheRevision);
        assertThat(applied(agent, "RoutePolicy", "storefront")).isEqualTo(routePolicy().getStatus().getStableRevision());
      });
    }
  }

  @Test
  @Order(2)
  void secondRequestIsACacheHitOnEachAgent() throws Exception {
    for (Agent agent : cluster.agents()) {
      HttpResponse<String> first = get(agent, "/api/products?page=1&utm_source=mail");
      assertThat(first.statusCode()).isEqualTo(200);
      assertThat(first.headers().firstValue("X-Cache")).hasValue("MISS");
      HttpResponse<String> second = get(agent, "/api/products?utm_source=other&page=1");
      assertThat(second.headers().firstValue("X-Cache")).as("non-listed query parameters are not in the key")
          .hasValue("HIT");
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(get(agent, "/api/cart").headers().firstValue("X-Cache")).hasValue("BYPASS");
    }
    assertThat(cluster.upstream().requests("products") + cluster.upstream().requests("products-v2"))
        .as("one upstream call per agent for the cached key").isEqualTo(2);
  }

  @Test
  @Order(3)
  void retuningSizeAndExpiryChangesTheLiveCacheWithoutLosingEntries() throws Exception {
    edit(cachePolicy(), p -> {
      p.getSpec().getCache().setExpireAfterWrite("10m");
      p.getSpec().getCache().setMaximumSize(20000L);
    });
    await().atMost(CONVERGE).until(() -> !firstCacheRevision.equals(cachePolicy().getStatus().getStableRevision()));
    String retuned = cachePolicy().getStatus().getStableRevision();
    for (Agent agent : cluster.agents()) {
      await().atMost(CONVERGE).until(() -> retuned.equals(applied(agent, "CachePolicy", "product-pages")));
      assertThat(agent.cache("product-pages").maximum()).isEqualTo(20000L);
      assertThat(agent.cache("product-pages").expireAfterWrite()).isEqualTo(Duration.ofMinutes(10));
      assertThat(get(agent, "/api/products?page=1").headers().firstValue("X-Cache"))
          .as("the entry stored before the change is still there").hasValue("HIT");
    }
  }

  @Test
  @Order(4)
  void anInvalidChangeIsRefusedAndAgentsKeepThePreviousRevision() throws Exception {
    String before = cachePolicy().getStatus().getStableRevision();
    edit(cachePolicy(), p -> p.getSpec().getCache().setMaximumWeight(new IntOrString("64Mi")));
    await().atMost(CONVERGE).untilAsserted(() -> assertThat(ready(cachePolicy().getStatus())).hasValueSatisfying(c -> {
      assertThat(c.getStatus()).isEqualTo("False");
      assertThat(c.getReason()).isEqualTo("InvalidSpec");
      assertThat(c.getMessage()).contains("spec.cache.maximumWeight");
    }));
    assertThat(cachePolicy().getStatus().getStableRevision()).isEqualTo(before);
    for (Agent agent : cluster.agents()) {
      assertThat(applied(agent, "CachePolicy", "product-pages")).isEqualTo(before);
      assertThat(get(agent, "/api/products?page=1").headers().firstValue("X-Cache")).hasValue("HIT");
    }
  }

  @Test
  @Order(5)
  void deletingTheRoutePolicyRemovesItsRoutesFromTheAgents() throws Exception {
    cluster.client().resources(RoutePolicy.class).inNamespace("default").withName("storefront").delete();
    for (Agent agent : cluster.agents()) {
      await().atMost(CONVERGE).untilAsserted(() -> assertThat(get(agent, "/api/products?page=1").statusCode()).isEqualTo(404));
      assertThat(agent.policies()).noneMatch(p -> "RoutePolicy".equals(p.kind()));
    }
  }

  private static CachePolicy cachePolicy() {
    return cluster.client().resources(CachePolicy.class).inNamespace("default").withName("product-pages").get();
  }

  private static RoutePolicy routePolicy() {
    return cluster.client().resources(RoutePolicy.class).inNamespace("default").withName("storefront").get();
  }

  private static void edit(CachePolicy policy, java.util.function.Consumer<CachePolicy> change) {
    cluster.client().resources(CachePolicy.class).inNamespace("default").withName(policy.getMetadata().getName())
        .edit(p -> {
          change.accept(p);
          return p;
        });
  }

  private static Optional<Condition> ready(PolicyStatus status) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  private static String applied(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name()))
        .map(PolicyState::appliedRevision).findFirst().orElse(null);
  }

  private static HttpResponse<String> get(Agent agent, String pathAndQuery) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }
}

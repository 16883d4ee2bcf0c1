package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static io.cacheplane.faults.Fixtures.SHOP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentFiles;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.RetrySpec;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.local.LocalCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-plane faults that need the agent's newer features: an agent restarted during an API outage serves its
 * last-known-good policies from its state directory; an upstream that goes down is covered by stale entries
 * (staleIfError); retries against a failing upstream stay within the route's retry budget.
 */
class DataPlaneFaultsIT {

  static final String NS = "data-plane-faults";
  static final Duration CONVERGE = Duration.ofSeconds(20);

  @Test
  void anAgentRestartedWhileTheApiIsAwayServesItsLastKnownGoodPolicies(@TempDir Path stateDir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (LocalCluster cluster = LocalCluster.startWithoutAgents(NS)) {
      URI api = URI.create(cluster.apiUrl());
      try (FaultProxy proxy = FaultProxy.start(vertx, "mock-server", api.getHost(), api.getPort())) {
        UnaryOperator<io.cacheplane.agent.AgentSettings> lkg = s -> s.withFiles(AgentFiles.none().withStateDir(stateDir));
        Agent first = cluster.startAgent("agent-lkg", cluster.resolver(), proxy.url("http"), lkg);
        Fixtures.apply(cluster.client(), NS, Fixtures.pages(1000));
        Fixtures.apply(cluster.client(), NS, Fixtures.shop());
        String route = Fixtures.awaitStable(cluster.client(), NS, ROUTE, SHOP, CONVERGE);
        Fixtures.awaitServing(List.of(first), ROUTE, SHOP, route, CONVERGE);
        Fixtures.awaitServing(List.of(first), CACHE, PAGES,
            Fixtures.awaitStable(cluster.client(), NS, CACHE, PAGES, CONVERGE), CONVERGE);

        proxy.cut();
        first.close();
        Agent second = cluster.startAgent("agent-lkg", cluster.resolver(), proxy.url("http"), lkg);
        assertThat(Fixtures.serving(second, ROUTE, SHOP)).as("last-known-good loaded at start").isEqualTo(route);
        assertThat(Fixtures.get(second, OutageDrill.HOT).statusCode()).as("served with the API away").isEqualTo(200);
        assertThat(Fixtures.watching(second)).isFalse();
        proxy.restore();
        await().atMost(CONVERGE).until(() -> Fixtures.watching(second));
        assertThat(Fixtures.applies(second, ROUTE, SHOP)).as("the same revision is not applied twice").isEqualTo(1.0);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUpstreamThatGoesDownIsCoveredByStaleEntries() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicLong calls = new AtomicLong();
    HttpServer origin = vertx.createHttpServer().requestHandler(req -> req.response()
        .putHeader("Cache-Control", "max-age=1").end("origin " + calls.incrementAndGet()));
    origin.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (LocalCluster cluster = LocalCluster.startWithoutAgents(NS)) {
      Agent agent = cluster.startAgent("agent-stale", BackendResolver.mapped(
          Map.of("origin", Endpoint.http("127.0.0.1", origin.actualPort())), cluster.resolver()));
      CachePolicy pages = Fixtures.pages(1000);
      pages.getSpec().getCache().setExpireAfterWrite("1s");
      pages.getSpec().getCache().setStaleIfError("5m");
      Fixtures.apply(cluster.client(), NS, pages);
      Fixtures.apply(cluster.client(), NS, Fixtures.routes("origin", Duration.ofSeconds(1), PAGES, "/api/o", "origin"));
      Fixtures.awaitServing(List.of(agent), ROUTE, "origin",
          Fixtures.awaitStable(cluster.client(), NS, ROUTE, "origin", CONVERGE), CONVERGE);
      String fresh = Fixtures.get(agent, "/api/o?page=1").body();
      origin.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      await("the entry is past its freshness and the origin is down").atMost(CONVERGE).pollInterval(Fixtures.POLL)
          .untilAsserted(() -> {
            HttpResponse<String> r = Fixtures.get(agent, "/api/o?page=1");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(fresh);
            assertThat(Fixtures.xCache(r)).isEqualTo("STALE");
          });
      assertThat(Fixtures.get(agent, "/api/o?page=2").statusCode()).as("no stale entry: 502").isEqualTo(502);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void retriesAgainstAFailingUpstreamAreBoundedByTheBudget() throws Exception {
    Vertx vertx = Vertx.vertx();
    AtomicLong calls = new AtomicLong();
    // Every answer is a 503, after 200 ms so that the 200 requests below are in flight together.
    HttpServer failing = vertx.createHttpServer().requestHandler(req -> {
      calls.incrementAndGet();
      vertx.setTimer(200, t -> req.response().setStatusCode(503).end());
    });
    failing.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    try (LocalCluster cluster = LocalCluster.startWithoutAgents(NS)) {
      Agent agent = cluster.startAgent("agent-retry", BackendResolver.mapped(
          Map.of("failing", Endpoint.http("127.0.0.1", failing.actualPort())), cluster.resolver()));
      RoutePolicy routes = Fixtures.routes("failing", Duration.ofSeconds(5), null, "/api/f", "failing");
      RetrySpec retries = new RetrySpec();
      retries.setAttempts(2);
      retries.setBudgetPercent(20);
      retries.setMinRetryConcurrency(1);
      routes.getSpec().getRoutes().get(0).setRetries(retries);
      Fixtures.apply(cluster.client(), NS, routes);
      Fixtures.awaitServing(List.of(agent), ROUTE, "failing",
          Fixtures.awaitStable(cluster.client(), NS, ROUTE, "failing", CONVERGE), CONVERGE);
      int requests = 200;
      List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
      java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1).build(); // one connection per request in flight
      for (int i = 0; i < requests; i++) {
        answers.add(http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + agent.trafficPort() + "/api/f")).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      answers.forEach(f -> assertThat(f.join().statusCode()).as("the last answer passes through").isEqualTo(503));
      long retried = calls.get() - requests;
      double refused = agent.settings().meterRegistry().find("cacheplane.route.retries.refused").counters().stream()
          .mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
      // Without a budget every request would be retried twice: 400 retries, tripling the load on a failing upstream.
      assertThat(refused).as("the budget refused retries").isPositive();
      assertThat(retried).as("far fewer than the unbudgeted 400").isLessThan(requests);
      ScenarioSummary.of("retry-budget").put("requests", requests).put("upstreamCalls", calls.get())
          .put("retried", retried).put("refused", (long) refused).print();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}

package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.e2e.LogCapture;
import io.cacheplane.local.LocalCluster;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream faults the agent handles today: an upstream that refuses connections (no cached entry) answers 502 at
 * once, an upstream that never answers gets 504 at the route's timeout, and the agent's own health (readiness of the
 * core: the traffic port is bound) stays up throughout, sampled with every request.
 */
class UpstreamFaultIT {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(3000);

  static final String NS = "upstream-faults";
  static final String FAULTY = "faulty";
  /** Timeout of the route to the service that never answers. */
  static final Duration SLOW_TIMEOUT = Duration.ofMillis(800);
  /** Timeout of the route to the service that refuses connections. */
  static final Duration DOWN_TIMEOUT = Duration.ofSeconds(2);

  static LocalCluster cluster;
  static Vertx vertx;
  static HttpServer silent;
  static final AtomicLong silentRequests = new AtomicLong();
  static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void startAgentsWithADownAndASilentUpstream() throws Exception {
    cluster = LocalCluster.startWithoutAgents(NS);
    vertx = Vertx.vertx();
    // Accepts, reads the request, never answers.
    silent = vertx.createHttpServer().requestHandler(req -> silentRequests.incrementAndGet());
    silent.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort(); // nothing listens there once closed
    }
    BackendResolver backends = BackendResolver.mapped(Map.of(
        "down", Endpoint.http("127.0.0.1", closedPort),
        "silent", Endpoint.http("127.0.0.1", silent.actualPort())), cluster.resolver());
    agents.add(cluster.startAgent("agent-a", backends));
    agents.add(cluster.startAgent("agent-b", backends));
    Fixtures.apply(cluster.client(), NS, Fixtures.pages(1000));
    Fixtures.apply(cluster.client(), NS, Fixtures.shop());
    Fixtures.apply(cluster.client(), NS, Fixtures.routes(FAULTY, DOWN_TIMEOUT, PAGES, "/api/down", "down"));
    Fixtures.apply(cluster.client(), NS, Fixtures.routes("silent", SLOW_TIMEOUT, PAGES, "/api/silent", "silent"));
    for (String[] p : new String[][] {{CACHE, PAGES}, {ROUTE, Fixtures.SHOP}, {ROUTE, FAULTY}, {ROUTE, "silent"}}) {
      Fixtures.awaitServing(agents, p[0], p[1],
          Fixtures.awaitStable(cluster.client(), NS, p[0], p[1], Duration.ofSeconds(20)), Duration.ofSeconds(20));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUpstreamThatIsDownAnswers502WithinTheRouteTimeoutAndTheAgentStaysHealthy() {
    for (Agent a : agents) {
      CompletableFuture<HttpResponse<String>> answer = CompletableFuture.supplyAsync(() ->
          Fixtures.get(a, "/api/down/item?page=1"));
      await("502, not a hang").atMost(DOWN_TIMEOUT).until(answer::isDone);
      HttpResponse<String> r = answer.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(502);
      assertThat(r.body()).contains("upstream unavailable");
    }
    // Under load: every request to the down upstream is a 502, everything else a 200, the agents stay healthy.
    Traffic traffic = Traffic.start(agents.stream().map(Agent::trafficPort).toList(),
        n -> n % 2 == 0 ? "/api/down/n?page=" + n : OutageDrill.HOT, () -> agents.stream().allMatch(Agent::ready), 2,
        50);
    await("traffic flows").atMost(Duration.ofSeconds(10)).until(() -> traffic.snapshot().sent() >= 200);
    Traffic.Snapshot s = traffic.stop();
    assertThat(s.failed()).as("the down upstream's share").isEqualTo(s.sent() / 2 + s.sent() % 2);
    assertThat(s.failures()).allMatch(f -> f.contains("-> 502"));
    assertThat(s.unhealthy()).as("health samples DOWN").isZero();
    assertThat(agents).allMatch(Agent::ready);
    ScenarioSummary.of("upstream-down").put("agents", agents.size()).traffic(s).put("answer", 502)
        .put("unhealthySamples", s.unhealthy()).print();
  }

  @Test
  void anUpstreamThatNeverAnswersGets504AtTheRouteTimeoutAndTheAgentStaysHealthy() {
    long before = silentRequests.get();
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    for (Agent a : agents) {
      for (int i = 0; i < 5; i++) {
        answers.add(CompletableFuture.supplyAsync(() -> Fixtures.get(a, "/api/silent/x?page=" + Math.random())));
      }
    }
    await("504 at the route timeout, not a hang").atMost(SLOW_TIMEOUT.plusSeconds(3)).pollInterval(Fixtures.POLL)
        .until(() -> answers.stream().allMatch(CompletableFuture::isDone));
    for (CompletableFuture<HttpResponse<String>> f : answers) {
      HttpResponse<String> r = f.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(504);
      assertThat(r.body()).contains("within " + SLOW_TIMEOUT.toMillis() + " ms");
    }
    assertThat(silentRequests.get() - before).as("each request reached the silent upstream").isEqualTo(answers.size());
    assertThat(agents).allMatch(Agent::ready);
    assertThat(Fixtures.xCache(Fixtures.get(agents.get(0), OutageDrill.HOT))).isIn("HIT", "MISS");
    ScenarioSummary.of("upstream-silent").put("agents", agents.size()).put("requests", answers.size())
        .put("answer", 504).put("routeTimeoutMs", SLOW_TIMEOUT.toMillis()).put("healthy", "yes").print();
  }
}

package io.cacheplane.faults;

import static io.cacheplane.faults.Fixtures.CACHE;
import static io.cacheplane.faults.Fixtures.PAGES;
import static io.cacheplane.faults.Fixtures.ROUTE;
import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.Agent;
import io.cacheplane.e2e.LogCapture;
import io.cacheplane.local.LocalCluster;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Static stability against the fabric8 mock server: three agents reach the API only through a {@link FaultProxy},
 * which cuts them off (live connections reset, reconnections refused) while the operator and the test still reach
 * it. Changes made <em>during</em> the cut are tested against the real apiserver ({@link PartitionScenarios}): the
 * mock server does not replay the events a resumed watch missed.
 */
class ApiOutageIT {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(5000);

  static final String NS = "faults";
  static final int AGENTS = 3;
  static final Duration CONVERGE = Duration.ofSeconds(30);

  static LocalCluster cluster;
  static Vertx vertx;
  static FaultProxy proxy;
  static final List<Agent> agents = new ArrayList<>();

  @BeforeAll
  static void startBehindAProxy() {
    cluster = LocalCluster.startWithoutAgents(NS);
    vertx = Vertx.vertx();
    URI api = URI.create(cluster.apiUrl());
    proxy = FaultProxy.start(vertx, "mock-server", api.getHost(), api.getPort());
    for (int i = 0; i < AGENTS; i++) {
      agents.add(cluster.startAgent("agent-" + i, cluster.resolver(), proxy.url(api.getScheme()),
          UnaryOperator.identity()));
    }
    Fixtures.apply(cluster.client(), NS, Fixtures.pages(10_000));
    Fixtures.apply(cluster.client(), NS, Fixtures.shop());
    for (String[] p : new String[][] {{CACHE, PAGES}, {ROUTE, Fixtures.SHOP}}) {
      String revision = Fixtures.awaitStable(cluster.client(), NS, p[0], p[1], CONVERGE);
      Fixtures.awaitServing(agents, p[0], p[1], revision, CONVERGE);
    }
  }

  @AfterEach
  void restoreTheProxy() {
    proxy.restore();
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void agentsAnswerEveryRequestWhileTheApiIsAwayAndTakeTheNextChangeWithinSeconds() throws Exception {
    String line = OutageDrill.on(new OutageDrill.Target(cluster.client(), NS, List.copyOf(agents), proxy))
        .outageProof(t -> assertThat(proxy.refused()).as("agents tried to reconnect and were refused").isPositive())
        .run("api-outage");
    assertThat(line).contains(" failed=0 ");
  }
}

package io.cacheplane.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.agent.PolicyState;
import io.cacheplane.agent.PolicyState.State;
import io.cacheplane.agent.PolicyState.Track;
import io.cacheplane.api.contract.AgentReport.Counters;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RevisionCountersTest {

  private static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;
  private static final String CACHE = CacheplaneApi.KIND_CACHE_POLICY;

  private final RevisionCounters counters = new RevisionCounters();

  private static PolicyState serving(String kind, String name, String revision) {
    return new PolicyState(kind, name, "uid-" + name, 1, revision, Track.stable, State.Applied, null, null, null, true);
  }

  private static PolicyState rejectedNew(String kind, String name) {
    return new PolicyState(kind, name, "uid-" + name, 1, null, null, State.Rejected, "InvalidSpec", "bad", "r", true);
  }

  @Test
  void countsTowardTheRoutePolicyAndTheReferencedCachePolicy() {
    counters.track(List.of(serving(ROUTE, "shop", "r1"), serving(CACHE, "pages", "c1")));
    counters.record("shop", "pages", 200, false);
    counters.record("shop", "pages", 500, false);
    counters.record("shop", null, 502, true);
    counters.record("shop", null, 504, true);
    counters.record("shop", null, 404, false);
    counters.record("other", "pages", 503, false); // a RoutePolicy that does not serve here: only the cache counts

    assertThat(counters.read(ROUTE, "shop", "r1")).isEqualTo(new Counters("r1", 5, 3, 2));
    assertThat(counters.read(CACHE, "pages", "c1")).isEqualTo(new Counters("c1", 3, 2, 0));
    assertThat(counters.read(ROUTE, "other", "x")).isNull();
  }

  @Test
  void resetWhenTheServingRevisionChangesKeptWhileItDoesNot() {
    counters.track(List.of(serving(ROUTE, "shop", "r1")));
    counters.record("shop", null, 200, false);
    counters.record("shop", null, 200, false);

    // a rejected newer envelope: r1 keeps serving, so its counts go on
    counters.track(List.of(new PolicyState(ROUTE, "shop", "uid-shop", 2, "r1", Track.stable, State.Rejected,
        "RevisionMismatch", "m", "r2", true)));
    counters.record("shop", null, 200, false);
    assertThat(counters.read(ROUTE, "shop", "r1")).isEqualTo(new Counters("r1", 3, 0, 0));

    counters.track(List.of(serving(ROUTE, "shop", "r2")));
    assertThat(counters.read(ROUTE, "shop", "r1")).as("r1 no longer counted").isNull();
    assertThat(counters.read(ROUTE, "shop", "r2")).isEqualTo(new Counters("r2", 0, 0, 0));
    counters.record("shop", null, 500, false);
    assertThat(counters.read(ROUTE, "shop", "r2")).isEqualTo(new Counters("r2", 1, 1, 0));

    // back to r1 (a rollback is a new serving period): from zero again
    counters.track(List.of(serving(ROUTE, "shop", "r1")));
    assertThat(counters.read(ROUTE, "shop", "r1")).isEqualTo(new Counters("r1", 0, 0, 0));
  }

  @Test
  void policiesThatStopServingAreDropped() {
    counters.track(List.of(serving(ROUTE, "shop", "r1"), serving(CACHE, "pages", "c1")));
    counters.track(List.of(rejectedNew(CACHE, "pages")));
    counters.record("shop", "pages", 200, false);
    assertThat(counters.read(ROUTE, "shop", "r1")).isNull();
    assertThat(counters.read(CACHE, "pages", "c1")).isNull();
  }

  @Test
  void concurrentRecordsAreAllCounted() throws Exception {
    counters.track(List.of(serving(ROUTE, "shop", "r1"), serving(CACHE, "pages", "c1")));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 10_000; i++) {
            counters.record("shop", "pages", i % 10 == 0 ? 502 : 200, i % 10 == 0);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(counters.read(ROUTE, "shop", "r1")).isEqualTo(new Counters("r1", 80_000, 8_000, 8_000));
    assertThat(counters.read(CACHE, "pages", "c1")).isEqualTo(new Counters("c1", 80_000, 8_000, 8_000));
  }
}

package io.cacheplane.agent.shell;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.cache.PurgeEndpoint;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * {@code POST /purge/{cache}?key=<exact key>} or {@code ?prefix=<path prefix>} on the management port (Quarkus' HTTP
 * server, beside {@code /q/health} and {@code /q/metrics}; never on the traffic port), answered by
 * {@link PurgeEndpoint}: off (404) unless {@code cacheplane.agent.purge.token-file} is set, {@code Authorization:
 * Bearer <token>} required, JSON answers. Runs on a worker thread (it reads the token file and walks the cache).
 */
@ApplicationScoped
public class PurgeRoute {

  /** The route's path; {@code :cache} is the CachePolicy name. */
  public static final String PATH = "/purge/:cache";

  @Inject
  AgentLifecycle lifecycle;

  void register(@Observes Router router) {
    router.post(PATH).blockingHandler(this::handle, false);
  }

  private void handle(RoutingContext ctx) {
    Agent agent = lifecycle.agent();
    PurgeEndpoint.Answer answer = agent == null
        ? new PurgeEndpoint.Answer(503, "{\"error\":\"the agent is not running\"}")
        : agent.purgeEndpoint().handle(ctx.request().getHeader("Authorization"), ctx.pathParam("cache"),
            ctx.request().getParam("key"), ctx.request().getParam("prefix"));
    var resp = ctx.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json");
    if (answer.status() == 401) {
      resp.putHeader("WWW-Authenticate", "Bearer");
    }
    resp.end(answer.json());
  }
}

package io.cacheplane.agent.proxy;

import io.cacheplane.agent.metrics.AgentMetrics;
import io.cacheplane.agent.proxy.CompiledRoute.WeightedBackend;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One client request's exchange with a route's upstreams: picks a backend by weight, sends, and retries when the
 * route allows it.
 *
 * <p>Retries (route {@code retries}, {@link RetryBudget}): only for idempotent methods (GET, HEAD, OPTIONS, PUT,
 * DELETE; never POST or PATCH), after a failure to reach the upstream or a broken exchange, or an answer whose status
 * is listed; at most {@code attempts} times; each retry needs a place in the route's retry budget, and picks a backend
 * by weight again. When no retry is possible the last answer (or failure) is the result. A timeout is never retried.
 * The body of an answer that is retried is dropped in the background ({@link UpstreamClient.Response#discard}), never
 * by closing a connection the retry might be using. Each retry waits its back-off: Envoy's fully
 * jittered exponential back-off with its defaults, a random time below 25 ms, 75 ms, 175 ms, then 250 ms
 * ({@link RetryBudget#backoffCeilingMillis}), cut short by the deadline.
 *
 * <p>The route's timeout bounds the whole exchange: every attempt gets the time left until the deadline set when the
 * first attempt started; once it has passed the result is a {@link UpstreamClient.TimeoutException} (→ 504).
 *
 * <p>Metrics: {@value AgentMetrics#ROUTE_RETRIES} counts retries sent, {@value AgentMetrics#ROUTE_RETRIES_REFUSED}
 * retries the budget refused; {@value AgentMetrics#UPSTREAM_DURATION} times every attempt (retries included) until its
 * answer is there (head and buffered body) or it failed, by outcome: status class, {@code timeout} or {@code error}.
 */
final class UpstreamCall {

  private final Vertx vertx;
  private final UpstreamClient client;
  private final AgentMetrics metrics;

  UpstreamCall(Vertx vertx, UpstreamClient client, AgentMetrics metrics) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.client = Objects.requireNonNull(client, "client");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * @param route the matched route
   * @param method the request method
   * @param path the path to send, rewritten ({@link CompiledRoute#upstreamPath}) but without the backend's base path
   * @param query the raw query, or {@code null}
   * @param headers request headers to send upstream
   * @param body the whole request body (buffered, so it can be sent again)
   * @param bufferLimit see {@link UpstreamClient#send}
   * @return the final answer, or a failure ({@link UpstreamClient.TimeoutException},
   *     {@link UpstreamClient.FailureException})
   */
  Future<UpstreamClient.Response> send(CompiledRoute route, HttpMethod method, String path, String query,
      List<Map.Entry<String, String>> headers, Buffer body, long bufferLimit) {
    RetryBudget budget = route.retries();
    boolean retryable = budget != null && budget.attempts() > 0 && RetryBudget.retriesMethod(method.name());
    Promise<UpstreamClient.Response> out = Promise.promise();
    if (budget != null) {
      budget.requestStarted();
      out.future().onComplete(ar -> budget.requestDone());
    }
    long deadline = System.nanoTime() + route.timeout().toNanos();
    String suffix = query == null ? path : path + "?" + query;
    attempt(route, retryable ? budget : null, method, suffix, headers, body, bufferLimit, deadline, 0, false, out);
    return out.future();
  }

  private void attempt(CompiledRoute route, RetryBudget budget, HttpMethod method, String suffix,
      List<Map.Entry<String, String>> headers, Buffer body, long bufferLimit, long deadline, int retry,
      boolean holdsRetry, Promise<UpstreamClient.Response> out) {
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      if (holdsRetry) {
        budget.retryDone();
      }
      out.tryFail(new UpstreamClient.TimeoutException(route.timeout()));
      return;
    }
    WeightedBackend backend = route.pickBackend();
    long started = System.nanoTime();
    Future<UpstreamClient.Response> call;
    try {
      call = client.send(backend.endpoint(), Duration.ofNanos(left), route.timeout(), method,
          backend.basePath() + suffix, headers, body, bufferLimit);
    } catch (RuntimeException e) {
      call = Future.failedFuture(new UpstreamClient.FailureException(e));
    }
    call.onComplete(ar -> {
      metrics.upstream(route.policy(), route.name(), outcome(ar.succeeded() ? ar.result() : null, ar.cause()),
          System.nanoTime() - started);
      if (holdsRetry) {
        budget.retryDone();
      }
      if (ar.succeeded()) {
        UpstreamClient.Response r = ar.result();
        if (budget != null && retry < budget.attempts() && budget.retriesStatus(r.status())
            && takeRetry(route, budget)) {
          // Dropped in the background: a connection still draining is not back in the pool, so the retry cannot be
          // handed it, and the retry need not wait for a slow error body.
          r.discard();
          retryAfterBackoff(route, budget, method, suffix, headers, body, bufferLimit, deadline, retry + 1, out);
        } else {
          out.tryComplete(r);
        }
        return;
      }
      Throwable cause = ar.cause();
      if (cause instanceof UpstreamClient.TimeoutException) {
        out.tryFail(new UpstreamClient.TimeoutException(route.timeout()));
      } else if (budget != null && retry < budget.attempts() && takeRetry(route, budget)) {
        retryAfterBackoff(route, budget, method, suffix, headers, body, bufferLimit, deadline, retry + 1, out);
      } else {
        out.tryFail(cause);
      }
    });
  }

  /**
   * Sends retry number {@code retry} after its back-off ({@link RetryBudget#backoffMillis}), never waiting past the
   * deadline (then {@link #attempt} answers with a timeout). The retry's place in the budget is held while it waits.
   */
  private void retryAfterBackoff(CompiledRoute route, RetryBudget budget, HttpMethod method, String suffix,
      List<Map.Entry<String, String>> headers, Buffer body, long bufferLimit, long deadline, int retry,
      Promise<UpstreamClient.Response> out) {
    long leftMillis = Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    long wait = Math.min(RetryBudget.backoffMillis(retry, ThreadLocalRandom.current().nextDouble()), leftMillis);
    if (wait < 1) {
      attempt(route, budget, method, suffix, headers, body, bufferLimit, deadline, retry, true, out);
    } else {
      vertx.setTimer(wait, id ->
          attempt(route, budget, method, suffix, headers, body, bufferLimit, deadline, retry, true, out));
    }
  }

  /** The {@code outcome} label of an attempt: the answer's status class, {@code timeout} or {@code error}. */
  static String outcome(UpstreamClient.Response answer, Throwable failure) {
    if (answer != null) {
      return AgentMetrics.statusClass(answer.status());
    }
    return failure instanceof UpstreamClient.TimeoutException ? AgentMetrics.OUTCOME_TIMEOUT
        : AgentMetrics.OUTCOME_ERROR;
  }

  private boolean takeRetry(CompiledRoute route, RetryBudget budget) {
    if (budget.tryStartRetry()) {
      metrics.retry(route.policy(), route.name());
      return true;
    }
    metrics.retryRefused(route.policy(), route.name());
    return false;
  }
}

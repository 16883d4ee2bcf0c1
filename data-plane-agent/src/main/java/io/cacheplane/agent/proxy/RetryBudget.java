package io.cacheplane.agent.proxy;

import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The retry settings of one route and its retry budget (Envoy's {@code retry_budget}: a retry is allowed while the
 * retries in flight stay below {@code budgetPercent} % of the requests in flight, and never below
 * {@code minRetryConcurrency}). The budget keeps a retry storm from multiplying the load on an upstream that is already
 * failing: with the defaults, at most 20 % more requests, or 3 retries at a time on a quiet route. Each retry waits
 * first, Envoy's fully jittered exponential back-off ({@link #backoffCeilingMillis}).
 *
 * <p>One instance per compiled route; it counts the route's requests and retries in flight (thread-safe).
 *
 * @see <a href="https://www.envoyproxy.io/docs/envoy/latest/api-v3/config/cluster/v3/circuit_breaker.proto">Envoy
 *     circuit breakers, RetryBudget</a>
 */
public final class RetryBudget {

  /** Retries after the first attempt when a RetrySpec sets none. */
  public static final int DEFAULT_ATTEMPTS = 2;
  /** Retried statuses when a RetrySpec sets none. */
  public static final Set<Integer> DEFAULT_STATUS_CODES = Set.of(502, 503, 504);
  /** Envoy's default {@code budget_percent}. */
  public static final int DEFAULT_BUDGET_PERCENT = 20;
  /** Envoy's default {@code min_retry_concurrency}. */
  public static final int DEFAULT_MIN_RETRY_CONCURRENCY = 3;
  /** Methods that may be retried: the idempotent ones (RFC 9110, section 9.2.2) — never POST or PATCH. */
  public static final Set<String> IDEMPOTENT_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");

  private final int attempts;
  private final Set<Integer> statusCodes;
  private final int budgetPercent;
  private final int minRetryConcurrency;
  private final AtomicInteger requestsInFlight = new AtomicInteger();
  private final AtomicInteger retriesInFlight = new AtomicInteger();

  /**
   * @param attempts retries after the first attempt, ≥ 0 ({@code null}: {@value #DEFAULT_ATTEMPTS})
   * @param statusCodes upstream statuses retried ({@code null} or empty: 502, 503, 504)
   * @param budgetPercent retries in flight allowed as a percent of the requests in flight, 0..100 ({@code null}:
   *     {@value #DEFAULT_BUDGET_PERCENT})
   * @param minRetryConcurrency retries in flight always allowed, ≥ 0 ({@code null}:
   *     {@value #DEFAULT_MIN_RETRY_CONCURRENCY})
   * @throws IllegalArgumentException when a value is out of range
   */
  public RetryBudget(Integer attempts, List<Integer> statusCodes, Integer budgetPercent, Integer minRetryConcurrency) {
    this.attempts = attempts == null ? DEFAULT_ATTEMPTS : attempts;
    this.statusCodes = statusCodes == null || statusCodes.isEmpty() ? DEFAULT_STATUS_CODES : Set.copyOf(statusCodes);
    this.budgetPercent = budgetPercent == null ? DEFAULT_BUDGET_PERCENT : budgetPercent;
    this.minRetryConcurrency = minRetryConcurrency == null ? DEFAULT_MIN_RETRY_CONCURRENCY : minRetryConcurrency;
    if (this.attempts < 0 || this.budgetPercent < 0 || this.budgetPercent > 100 || this.minRetryConcurrency < 0) {
      throw new IllegalArgumentException("retries: attempts and minRetryConcurrency must be ≥ 0 and budgetPercent "
          + "in 0..100, got " + this.attempts + ", " + this.minRetryConcurrency + ", " + this.budgetPercent);
    }
  }

  /**
   * The budget rule, a pure function: a new retry is allowed iff
   * {@code retriesInFlight < max(minRetryConcurrency, budgetPercent × requestsInFlight / 100)}.
   *
   * @param retriesInFlight retries of the route being sent or awaited now (without the one asked for)
   * @param requestsInFlight client requests of the route being served now (the asking one included)
   * @param budgetPercent 0..100
   * @param minRetryConcurrency ≥ 0
   */
  public static boolean allows(int retriesInFlight, int requestsInFlight, int budgetPercent, int minRetryConcurrency) {
    double budget = budgetPercent / 100.0 * requestsInFlight;
    return retriesInFlight < Math.max(minRetryConcurrency, budget);
  }

  /** Base interval of the retry back-off, Envoy's default for {@code retry_back_off.base_interval} (25 ms). */
  public static final long BACKOFF_BASE_MILLIS = 25;
  /** Longest retry back-off, Envoy's default {@code max_interval}: 10 × the base interval (250 ms). */
  public static final long BACKOFF_MAX_MILLIS = 10 * BACKOFF_BASE_MILLIS;

  /**
   * The upper bound of the wait before a retry, a pure function: Envoy's fully jittered exponential back-off waits a
   * random time in {@code [0, min(max, (2^retry − 1) × base))} before retry number {@code retry}.
   *
   * @param retry the retry about to be sent, 1 for the first
   * @param baseMillis the base interval, ms, > 0
   * @param maxMillis the cap, ms, ≥ baseMillis
   * @return the exclusive upper bound, ms: 25, 75, 175, then 250 with Envoy's defaults
   * @throws IllegalArgumentException when {@code retry < 1}
   * @see <a href="https://www.envoyproxy.io/docs/envoy/latest/configuration/http/http_filters/router_filter">Envoy
   *     router filter, x-envoy-max-retries: the default back-off</a>
   */
  public static long backoffCeilingMillis(int retry, long baseMillis, long maxMillis) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be >= 1, got " + retry);
    }
    if (retry >= 62) {
      return maxMillis;
    }
    long multiplier = (1L << retry) - 1;
    return multiplier > maxMillis / baseMillis ? maxMillis : Math.min(maxMillis, multiplier * baseMillis);
  }

  /**
   * The wait before retry number {@code retry} with the default base and cap.
   *
   * @param retry the retry about to be sent, 1 for the first
   * @param random uniform in {@code [0, 1)}
   * @return ms, in {@code [0, backoffCeilingMillis(retry, 25, 250))}
   */
  public static long backoffMillis(int retry, double random) {
    return (long) (random * backoffCeilingMillis(retry, BACKOFF_BASE_MILLIS, BACKOFF_MAX_MILLIS));
  }

  /** Retries after the first attempt. */
  public int attempts() {
    return attempts;
  }

  /** Whether an upstream answer with this status is retried. */
  public boolean retriesStatus(int status) {
    return statusCodes.contains(status);
  }

  /** Whether requests of this method may be retried at all. */
  public static boolean retriesMethod(String method) {
    return IDEMPOTENT_METHODS.contains(method);
  }

  /** Counts a client request of the route as in flight; pair with {@link #requestDone()}. */
  void requestStarted() {
    requestsInFlight.incrementAndGet();
  }

  void requestDone() {
    requestsInFlight.decrementAndGet();
  }

  /**
   * Takes a place for one retry if the budget allows it; pair a {@code true} answer with {@link #retryDone()}.
   *
   * @return whether the retry may be sent
   */
  boolean tryStartRetry() {
    while (true) {
      int retries = retriesInFlight.get();
      if (!allows(retries, requestsInFlight.get(), budgetPercent, minRetryConcurrency)) {
        return false;
      }
      if (retriesInFlight.compareAndSet(retries, retries + 1)) {
        return true;
      }
    }
  }

  void retryDone() {
    retriesInFlight.decrementAndGet();
  }

  @Override
  public String toString() {
    return "retries{attempts=" + attempts + ", statusCodes=" + statusCodes + ", budgetPercent=" + budgetPercent
        + ", minRetryConcurrency=" + minRetryConcurrency + "}";
  }
}

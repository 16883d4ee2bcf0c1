package io.cacheplane.agent.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RetryBudgetTest {

  static Stream<Arguments> budget() {
    return Stream.of(
        // why, retries in flight, requests in flight, percent, min concurrency, allowed
        Arguments.of("quiet route: the minimum concurrency allows the first retries", 0, 1, 20, 3, true),
        Arguments.of("quiet route: up to the minimum", 2, 1, 20, 3, true),
        Arguments.of("quiet route: the minimum reached", 3, 1, 20, 3, false),
        Arguments.of("busy route: 20 % of 100 requests is 20 retries", 19, 100, 20, 3, true),
        Arguments.of("busy route: the 21st retry is refused", 20, 100, 20, 3, false),
        Arguments.of("fractional budget: 20 % of 12 is 2.4, so a third retry", 2, 12, 20, 0, true),
        Arguments.of("fractional budget: not a fourth", 3, 12, 20, 0, false),
        Arguments.of("zero percent and zero minimum: never", 0, 1000, 0, 0, false),
        Arguments.of("zero percent: only the minimum", 0, 1000, 0, 1, true),
        Arguments.of("hundred percent: as many retries as requests", 99, 100, 100, 0, true),
        Arguments.of("hundred percent: not more", 100, 100, 100, 0, false),
        Arguments.of("no request in flight, minimum 3", 0, 0, 20, 3, true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("budget")
  void allowsIffRetriesBelowTheLargerOfMinimumAndPercent(String why, int retries, int requests, int percent, int min,
      boolean allowed) {
    assertThat(RetryBudget.allows(retries, requests, percent, min)).isEqualTo(allowed);
  }

  @ParameterizedTest(name = "{0} retried: {1}")
  @CsvSource({"GET,true", "HEAD,true", "OPTIONS,true", "PUT,true", "DELETE,true", "POST,false", "PATCH,false",
      "CONNECT,false", "TRACE,false"})
  void onlyIdempotentMethodsAreRetried(String method, boolean retried) {
    assertThat(RetryBudget.retriesMethod(method)).isEqualTo(retried);
  }

  @Test
  void defaultsAreEnvoysAndTheContracts() {
    RetryBudget b = new RetryBudget(null, null, null, null);
    assertThat(b.attempts()).isEqualTo(2);
    assertThat(List.of(502, 503, 504)).allSatisfy(s -> assertThat(b.retriesStatus(s)).isTrue());
    assertThat(b.retriesStatus(500)).isFalse();
    // budgetPercent 20, minRetryConcurrency 3: a quiet route gets 3 retries in flight, no more
    b.requestStarted();
    assertThat(b.tryStartRetry()).isTrue();
    assertThat(b.tryStartRetry()).isTrue();
    assertThat(b.tryStartRetry()).isTrue();
    assertThat(b.tryStartRetry()).isFalse();
    b.retryDone();
    assertThat(b.tryStartRetry()).as("a finished retry frees its place").isTrue();
  }

  @Test
  void listedStatusesReplaceTheDefaults() {
    RetryBudget b = new RetryBudget(1, List.of(500), 50, 0);
    assertThat(b.retriesStatus(500)).isTrue();
    assertThat(b.retriesStatus(503)).isFalse();
    for (int i = 0; i < 4; i++) {
      b.requestStarted();
    }
    assertThat(b.tryStartRetry()).isTrue();
    assertThat(b.tryStartRetry()).isTrue();
    assertThat(b.tryStartRetry()).as("50 % of 4 requests").isFalse();
  }

  @Test
  void outOfRangeValuesAreRefused() {
    assertThatThrownBy(() -> new RetryBudget(-1, null, null, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBudget(null, null, 101, null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetryBudget(null, null, null, -1)).isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest(name = "retry {0}, base {1} ms, max {2} ms: below {3} ms")
  @CsvSource({
      // Envoy's defaults: (2^N - 1) x 25 ms, capped at 250 ms
      "1, 25, 250, 25",
      "2, 25, 250, 75",
      "3, 25, 250, 175",
      "4, 25, 250, 250",
      "5, 25, 250, 250",
      // no overflow for absurd retry numbers or a cap far above the base
      "61, 25, 250, 250",
      "62, 25, 250, 250",
      "2147483647, 25, 250, 250",
      "40, 1, 9223372036854775807, 1099511627775",
      // the base equals the cap: every retry waits below the cap
      "1, 100, 100, 100",
      "3, 100, 100, 100",
  })
  void backoffCeilingIsEnvoysFullyJitteredExponential(int retry, long base, long max, long ceiling) {
    assertThat(RetryBudget.backoffCeilingMillis(retry, base, max)).isEqualTo(ceiling);
  }

  @ParameterizedTest(name = "retry {0}, random {1}: {2} ms")
  @CsvSource({
      "1, 0.0, 0",
      "1, 0.5, 12",
      "1, 0.9999999, 24",
      "3, 0.5, 87",
      "9, 0.9999999, 249",
  })
  void backoffIsTheCeilingScaledByTheRandomDraw(int retry, double random, long millis) {
    assertThat(RetryBudget.backoffMillis(retry, random)).isEqualTo(millis);
  }

  @Test
  void backoffIsDefinedFromTheFirstRetry() {
    assertThatThrownBy(() -> RetryBudget.backoffCeilingMillis(0, 25, 250))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retry must be >= 1");
  }
}

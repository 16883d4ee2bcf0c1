package io.cacheplane.agent.cache;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Freshness of stored responses: pure functions of the response headers, the entry's age and the <em>current</em>
 * cache configuration (so a shortened {@code expireAfterWrite} applies to entries stored before it).
 *
 * <p>An entry is fresh for {@code min(expireAfterWrite, upstream lifetime)} after it was stored. The upstream
 * lifetime (RFC 9111, section 4.2.1), read only with {@code honorCacheControl}, is the first of:
 * <ol>
 *   <li>{@code Cache-Control: s-maxage=N} (N seconds),
 *   <li>{@code Cache-Control: max-age=N},
 *   <li>{@code Expires} minus {@code Date} (minus the time of receipt when the response has no {@code Date}); an
 *       {@code Expires} that is not a valid HTTP date means "already expired" (RFC 9111, section 5.3),
 * </ol>
 * less the response's {@code Age} header, never below zero. Delta-seconds are capped at 2^31 (RFC 9111, section
 * 1.2.2). Past its freshness an entry is {@link State#STALE_WHILE_REVALIDATE} for {@code staleWhileRevalidate},
 * {@link State#STALE_IF_ERROR} until {@code staleIfError} (RFC 5861 semantics, the windows both counted from the end
 * of freshness), then {@link State#EXPIRED}.
 */
public final class Freshness {

  /** What a stored entry may be used for now. */
  public enum State {
    /** Served as a hit. */
    FRESH,
    /** Served ({@code X-Cache: STALE}) while one background request refreshes it; also usable on error. */
    STALE_WHILE_REVALIDATE,
    /** Used only when the upstream fails (connect error, timeout, 5xx). */
    STALE_IF_ERROR,
    /** Not usable: a miss. */
    EXPIRED
  }

  /** RFC 9111, section 1.2.2: delta-seconds larger than this are read as this. */
  static final long MAX_DELTA_SECONDS = 2_147_483_648L;

  private Freshness() {}

  /**
   * The state of {@code entry} at ticker reading {@code nowNanos} under {@code config}.
   */
  public static State state(CacheConfig config, CachedResponse entry, long nowNanos) {
    long age = Math.max(0, nowNanos - entry.storedAtNanos());
    long fresh = Math.min(nanos(config.expireAfterWrite()), entry.lifetimeNanos());
    if (age < fresh) {
      return State.FRESH;
    }
    long stale = age - fresh;
    if (stale < nanos(config.staleWhileRevalidate())) {
      return State.STALE_WHILE_REVALIDATE;
    }
    if (stale < nanos(config.staleIfError())) {
      return State.STALE_IF_ERROR;
    }
    return State.EXPIRED;
  }

  /**
   * The freshness lifetime the upstream gave a response, nanoseconds, or {@link CachedResponse#NO_LIFETIME}.
   *
   * @param headers all values of a response header by name (case-insensitive); empty list when absent
   * @param receivedAt wall-clock time the response was received (for {@code Expires} without {@code Date})
   */
  public static long upstreamLifetimeNanos(Function<String, List<String>> headers, Instant receivedAt) {
    List<String> cacheControl = headers.apply("Cache-Control");
    Long seconds = directiveSeconds(cacheControl, "s-maxage");
    if (seconds == null) {
      seconds = directiveSeconds(cacheControl, "max-age");
    }
    long lifetime;
    if (seconds != null) {
      lifetime = Duration.ofSeconds(seconds).toNanos();
    } else {
      List<String> expires = headers.apply("Expires");
      if (expires == null || expires.isEmpty()) {
        return CachedResponse.NO_LIFETIME;
      }
      Instant exp = httpDate(expires.get(0));
      if (exp == null) {
        return 0;
      }
      List<String> date = headers.apply("Date");
      Instant base = date == null || date.isEmpty() ? null : httpDate(date.get(0));
      Duration d = Duration.between(base == null ? receivedAt : base, exp);
      lifetime = d.isNegative() ? 0 : Duration.ofSeconds(Math.min(d.getSeconds(), MAX_DELTA_SECONDS)).toNanos();
    }
    List<String> age = headers.apply("Age");
    if (age != null && !age.isEmpty()) {
      Long a = deltaSeconds(age.get(0));
      if (a != null) {
        lifetime -= Duration.ofSeconds(a).toNanos();
      }
    }
    return Math.max(0, lifetime);
  }

  /** The value of {@code name=N} in Cache-Control header values; {@code null} when absent or malformed. */
  static Long directiveSeconds(List<String> cacheControl, String name) {
    if (cacheControl == null) {
      return null;
    }
    for (String value : cacheControl) {
      for (String d : value.split(",")) {
        int eq = d.indexOf('=');
        if (eq > 0 && d.substring(0, eq).trim().toLowerCase(Locale.ROOT).equals(name)) {
          String v = d.substring(eq + 1).trim();
          if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
          }
          Long s = deltaSeconds(v);
          if (s != null) {
            return s;
          }
        }
      }
    }
    return null;
  }

  private static Long deltaSeconds(String v) {
    String t = v.trim();
    if (t.isEmpty() || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return null;
    }
    return t.length() > 10 ? MAX_DELTA_SECONDS : Math.min(Long.parseLong(t), MAX_DELTA_SECONDS);
  }

  private static Instant httpDate(String value) {
    try {
      return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeException e) {
      return null;
    }
  }

  /** {@code d} in nanoseconds, saturated at {@link Long#MAX_VALUE} (about 292 years). */
  static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }
}

package io.cacheplane.agent.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The purge endpoint of the management port, without its HTTP server (the Quarkus shell adapts requests to
 * {@link #handle}). {@code POST /purge/{cache}?key=<exact key>} or {@code ?prefix=<path prefix>}:
 * <ul>
 *   <li>404 when no purge token file is configured (the endpoint is off), or when the cache is not applied here;
 *   <li>401 (with {@code WWW-Authenticate: Bearer}) unless {@code Authorization: Bearer <token>} matches the token
 *       file's content (surrounding whitespace ignored). The file is read on every request, so a rotated token works
 *       at once; the comparison is over SHA-256 digests with {@link MessageDigest#isEqual} (constant time, and the
 *       token's length does not leak). An unreadable or empty token file authorizes nothing (503);
 *   <li>400 unless exactly one of {@code key} and {@code prefix} is given, for a prefix not starting with {@code /}, and
 *       for a prefix on a sensitive cache (its keys are hashed);
 *   <li>200 with {@code {"cache":"<name>","purged":<entries removed>}}.
 * </ul>
 * Every other answer is {@code {"error":"<reason>"}}. Keys are never logged or echoed.
 */
public final class PurgeEndpoint {

  /** An HTTP answer: status and JSON body. */
  public record Answer(int status, String json) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path tokenFile;
  private final Function<String, ResponseCache> caches;

  /**
   * @param tokenFile the bearer token file; {@code null}: the endpoint is off
   * @param caches the cache of a CachePolicy name, or {@code null} when not applied
   */
  public PurgeEndpoint(Path tokenFile, Function<String, ResponseCache> caches) {
    this.tokenFile = tokenFile;
    this.caches = caches;
  }

  /** Whether a token file is configured. */
  public boolean enabled() {
    return tokenFile != null;
  }

  /**
   * @param authorization the request's {@code Authorization} header, or {@code null}
   * @param cacheName the CachePolicy name from the path
   * @param key the {@code key} query parameter (exact normalised key), or {@code null}
   * @param prefix the {@code prefix} query parameter (path prefix), or {@code null}
   */
  public Answer handle(String authorization, String cacheName, String key, String prefix) {
    if (tokenFile == null) {
      return error(404, "the purge endpoint is off: no purge token file is configured");
    }
    byte[] expected;
    try {
      expected = Files.readString(tokenFile, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return error(503, "the purge token file cannot be read");
    }
    if (expected.length == 0) {
      return error(503, "the purge token file is empty");
    }
    if (!authorized(authorization, expected)) {
      return error(401, "a valid Authorization: Bearer token is required");
    }
    if ((key == null) == (prefix == null)) {
      return error(400, "give exactly one of the query parameters key (an exact cache key) and prefix (a path prefix)");
    }
    ResponseCache cache = cacheName == null ? null : caches.apply(cacheName);
    if (cache == null) {
      return error(404, "no cache of that name is applied on this agent");
    }
    long purged;
    try {
      purged = key != null ? cache.purgeKey(key) : cache.purgePrefix(prefix);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("cache", cache.name());
    body.put("purged", purged);
    return new Answer(200, json(body));
  }

  static boolean authorized(String authorization, byte[] expected) {
    if (authorization == null) {
      return false;
    }
    String a = authorization.strip();
    if (a.length() < 7 || !a.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return false;
    }
    byte[] given = a.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(sha256(given), sha256(expected));
  }

  private static byte[] sha256(byte[] b) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(b);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static Answer error(int status, String reason) {
    return new Answer(status, json(Map.of("error", reason)));
  }

  private static String json(Map<String, Object> body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}

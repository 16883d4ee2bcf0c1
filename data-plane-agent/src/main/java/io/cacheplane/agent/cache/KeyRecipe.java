package io.cacheplane.agent.cache;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a cache key contains besides the method and the path, and how the path is folded: the allow-listed query
 * parameters (names compared exactly, as in URLs) and request headers (names compared case-insensitively), both
 * sorted and de-duplicated, plus the {@code CacheKeySpec} switches.
 *
 * @param queryParameters allow-listed query parameter names, sorted
 * @param headers allow-listed request header names, lower case, sorted
 * @param includeHost whether the request's host (lower-cased, without a default port) is part of the key
 * @param lowercasePath whether the path is lower-cased for the key
 * @param mergeSlashes whether runs of {@code /} in the path fold into one for the key
 */
public record KeyRecipe(List<String> queryParameters, List<String> headers, boolean includeHost,
    boolean lowercasePath, boolean mergeSlashes) {

  public KeyRecipe {
    queryParameters = List.copyOf(queryParameters);
    headers = List.copyOf(headers);
  }

  /** Lists only; the switches at their defaults (no host, path case kept, slashes merged). */
  public static KeyRecipe of(List<String> queryParameters, List<String> headers) {
    return of(queryParameters, headers, null, null, null);
  }

  /**
   * Normalises the fields of a {@code CacheKeySpec}; {@code null} lists mean none, {@code null} switches their
   * defaults: {@code includeHost} false, {@code lowercasePath} false, {@code mergeSlashes} true.
   */
  public static KeyRecipe of(List<String> queryParameters, List<String> headers, Boolean includeHost,
      Boolean lowercasePath, Boolean mergeSlashes) {
    TreeSet<String> params = new TreeSet<>();
    if (queryParameters != null) {
      queryParameters.stream().filter(Objects::nonNull).forEach(params::add);
    }
    TreeSet<String> names = new TreeSet<>();
    if (headers != null) {
      headers.stream().filter(Objects::nonNull).map(h -> h.toLowerCase(Locale.ROOT)).forEach(names::add);
    }
    return new KeyRecipe(List.copyOf(params), List.copyOf(names), Boolean.TRUE.equals(includeHost),
        Boolean.TRUE.equals(lowercasePath), mergeSlashes == null || mergeSlashes);
  }

  /** Whether {@code header} (any case) is part of the key. */
  public boolean hasHeader(String header) {
    return headers.contains(header.toLowerCase(Locale.ROOT));
  }

  /** The path as it goes into the key: slashes merged and case folded when asked. */
  public String keyPath(String path) {
    String p = path;
    if (mergeSlashes && p.contains("//")) {
      StringBuilder b = new StringBuilder(p.length());
      char prev = 0;
      for (int i = 0; i < p.length(); i++) {
        char ch = p.charAt(i);
        if (ch != '/' || prev != '/') {
          b.append(ch);
        }
        prev = ch;
      }
      p = b.toString();
    }
    return lowercasePath ? p.toLowerCase(Locale.ROOT) : p;
  }
}

package io.cacheplane.agent.cache;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a cache key contains besides the method and the path: the allow-listed query parameters (names compared
 * exactly, as in URLs) and request headers (names compared case-insensitively), both sorted and de-duplicated.
 *
 * @param queryParameters allow-listed query parameter names, sorted
 * @param headers allow-listed request header names, lower case, sorted
 */
public record KeyRecipe(List<String> queryParameters, List<String> headers) {

  public KeyRecipe {
    queryParameters = List.copyOf(queryParameters);
    headers = List.copyOf(headers);
  }

  /** Normalises the lists of a {@code CacheKeySpec}; {@code null} lists mean none. */
  public static KeyRecipe of(List<String> queryParameters, List<String> headers) {
    TreeSet<String> params = new TreeSet<>();
    if (queryParameters != null) {
      queryParameters.stream().filter(Objects::nonNull).forEach(params::add);
    }
    TreeSet<String> names = new TreeSet<>();
    if (headers != null) {
      headers.stream().filter(Objects::nonNull).map(h -> h.toLowerCase(Locale.ROOT)).forEach(names::add);
    }
    return new KeyRecipe(List.copyOf(params), List.copyOf(names));
  }

  /** Whether {@code header} (any case) is part of the key. */
  public boolean hasHeader(String header) {
    return headers.contains(header.toLowerCase(Locale.ROOT));
  }
}

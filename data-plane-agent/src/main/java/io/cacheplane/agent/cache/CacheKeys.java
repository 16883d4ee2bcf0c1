package io.cacheplane.agent.cache;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The cache key of a request: a pure function of the method, the path, the allow-listed query parameters and the
 * listed request headers. Nothing else (other query parameters, other headers, the host, the client) takes part, which
 * bounds the number of keys a client can create for one path.
 *
 * <p>Shape: {@code METHOD SP path ["?" name=value *("&" name=value)] *(SP header [= value *("," value)])}
 * <ul>
 *   <li>the method is upper-cased; the path is the one {@code RequestPaths.normalize} produced (unreserved characters decoded, dot segments and encoded slashes refused before the key is made);
 *   <li>query parameters are percent-decoded, kept only when allow-listed, sorted by name (a stable sort: repeated
 *       values of one name keep their order, since {@code a=1&a=2} may differ from {@code a=2&a=1}) and re-encoded;
 *   <li>headers come in the recipe's order (sorted, lower-case names); all values of a header are joined with
 *       {@code ,}; an absent header contributes its bare name, a present but empty one {@code name=};
 *   <li>every name and value is percent-encoded, so separators inside values cannot make two requests collide.
 * </ul>
 * Keys may contain user data: never log them.
 */
public final class CacheKeys {

  private CacheKeys() {}

  /**
   * @param recipe what the CachePolicy adds to the key
   * @param method the request method (any case)
   * @param path the raw request path, without the query
   * @param rawQuery the raw query string without {@code ?}, or {@code null}
   * @param headers all values of a request header by name (case-insensitive lookup); empty list when absent
   * @return the key (never null)
   */
  public static String key(KeyRecipe recipe, String method, String path, String rawQuery,
      Function<String, List<String>> headers) {
    StringBuilder key = new StringBuilder(64).append(method.toUpperCase(Locale.ROOT)).append(' ').append(path);
    if (!recipe.queryParameters().isEmpty() && rawQuery != null && !rawQuery.isEmpty()) {
      List<Map.Entry<String, String>> kept = new ArrayList<>();
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String name = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (recipe.queryParameters().contains(name)) {
          kept.add(Map.entry(name, eq < 0 ? "" : decode(pair.substring(eq + 1))));
        }
      }
      kept.sort(Map.Entry.comparingByKey(Comparator.naturalOrder()));
      char sep = '?';
      for (Map.Entry<String, String> e : kept) {
        key.append(sep).append(encode(e.getKey())).append('=').append(encode(e.getValue()));
        sep = '&';
      }
    }
    for (String header : recipe.headers()) {
      key.append(' ').append(header);
      List<String> values = headers.apply(header);
      if (values != null && !values.isEmpty()) {
        key.append('=');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            key.append(',');
          }
          key.append(encode(values.get(i)));
        }
      }
    }
    return key.toString();
  }

  private static String decode(String s) {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return s; // malformed %-escape: keep the text as sent
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}

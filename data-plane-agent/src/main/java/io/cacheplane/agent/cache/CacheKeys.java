package io.cacheplane.agent.cache;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The cache key of a request: a pure function of the method, the (optional) host, the path, the allow-listed query
 * parameters, the listed request headers, the forwarded values when they are not the request's own and the
 * (optional) scope. Nothing else (other query parameters, other
 * headers, the client) takes part, which bounds the number of keys a client can create for one path.
 *
 * <p>Shape: {@code METHOD SP ["//" host] path ["?" name=value *("&" name=value)] *(SP header [= value *("," value)])
 * [SP "<" forwardedHost "," forwardedProto ">"] [SP "@" scope]}
 * <ul>
 *   <li>the method is upper-cased;
 *   <li>with {@code includeHost}: the request's host, lower-cased, without the scheme's default port ({@code :80} for
 *       http, {@code :443} for https), percent-encoded; an absent host is empty;
 *   <li>the path is the one {@code RequestPaths.normalize} produced (unreserved characters decoded, dot segments and
 *       encoded slashes refused before the key is made), then with {@code mergeSlashes} runs of {@code /} folded
 *       into one and with {@code lowercasePath} lower-cased ({@link KeyRecipe#keyPath});
 *   <li>query parameters are percent-decoded, kept only when allow-listed, sorted by name, then by value (so
 *       {@code a=2&a=1} and {@code a=1&a=2} share a key), and re-encoded;
 *   <li>headers come in the recipe's order (sorted, lower-case names); all values of a header are joined with
 *       {@code ,}; an absent header contributes its bare name, a present but empty one {@code name=};
 *   <li>the forwarded part ({@link #forwarded}): the {@code X-Forwarded-Host} and {@code X-Forwarded-Proto}
 *       values sent upstream, when they are not the ones the agent derives from the request itself; an implicit
 *       {@code Vary} on them, since an upstream may build its answer (redirects, absolute links) from them;
 *   <li>the scope (the value of the policy's {@code scopeHeader} with scope Tenant or User) comes last after
 *       {@code @}, a character no header name may contain;
 *   <li>every name and value is percent-encoded, so separators inside values cannot make two requests collide.
 * </ul>
 * Keys may contain user data: never log them.
 */
public final class CacheKeys {

  private CacheKeys() {}

  /** The key without host and scope (tests and callers that have neither). */
  public static String key(KeyRecipe recipe, String method, String path, String rawQuery,
      Function<String, List<String>> headers) {
    return key(recipe, method, null, false, path, rawQuery, headers, null);
  }

  /**
   * @param recipe what the CachePolicy adds to the key
   * @param method the request method (any case)
   * @param host the request's authority ({@code Host} header or HTTP/2 {@code :authority}), or {@code null}; used only
   *     with {@link KeyRecipe#includeHost()}
   * @param https whether the request came over TLS (decides which default port is dropped)
   * @param path the normalised request path, without the query
   * @param rawQuery the raw query string without {@code ?}, or {@code null}
   * @param headers all values of a request header by name (case-insensitive lookup); empty list when absent
   * @param scope the scope value (tenant or user), or {@code null} for a Global cache
   * @return the key (never null)
   */
  public static String key(KeyRecipe recipe, String method, String host, boolean https, String path, String rawQuery,
      Function<String, List<String>> headers, String scope) {
    return key(recipe, method, host, https, path, rawQuery, headers, null, scope);
  }

  /**
   * {@link #key(KeyRecipe, String, String, boolean, String, String, Function, String)} with a forwarded part.
   *
   * @param forwarded the result of {@link #forwarded}: {@code null} when the request's forwarded values are its own
   */
  public static String key(KeyRecipe recipe, String method, String host, boolean https, String path, String rawQuery,
      Function<String, List<String>> headers, Forwarded forwarded, String scope) {
    StringBuilder key = new StringBuilder(64).append(method.toUpperCase(Locale.ROOT)).append(' ');
    if (recipe.includeHost()) {
      key.append("//").append(encode(host(host, https)));
    }
    key.append(recipe.keyPath(path));
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
      kept.sort(Map.Entry.<String, String>comparingByKey().thenComparing(Map.Entry.comparingByValue()));
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
    if (forwarded != null) {
      key.append(" <").append(encode(forwarded.host())).append(',').append(encode(forwarded.proto())).append('>');
    }
    if (scope != null) {
      key.append(" @").append(encode(scope));
    }
    return key.toString();
  }

  /**
   * The {@code X-Forwarded-Host} and {@code X-Forwarded-Proto} values as sent upstream (all values of each joined
   * with {@code ,}; an absent header is {@code ""}).
   */
  public record Forwarded(String host, String proto) {}

  /**
   * The forwarded part of a key: the agent keeps client-supplied {@code X-Forwarded-Host}/{@code X-Forwarded-Proto}
   * (so that it works behind an ingress that sets them), and an upstream may build its answer from them; two requests
   * that send different values upstream must not share an entry. When the values sent are exactly the ones the agent
   * would set itself (the request's {@code Host} and scheme), they add nothing the key does not already say (the host
   * with {@code includeHost}, or the policy's choice to share across hosts) and the part is left out, so clean
   * requests keep the keys they always had.
   *
   * @param sentHost all values of {@code X-Forwarded-Host} as sent upstream (after the route's request header
   *     modifier); empty when none is sent
   * @param sentProto all values of {@code X-Forwarded-Proto} as sent upstream; empty when none is sent
   * @param ownHost the request's {@code Host} header, or {@code null}
   * @param ownScheme the request's scheme ({@code http} or {@code https})
   * @return {@code null} when the values sent are the request's own, else the values to key on
   */
  public static Forwarded forwarded(List<String> sentHost, List<String> sentProto, String ownHost, String ownScheme) {
    String host = String.join(",", sentHost);
    String proto = String.join(",", sentProto);
    boolean own = sentHost.size() == (ownHost == null ? 0 : 1) && host.equals(ownHost == null ? "" : ownHost)
        && sentProto.size() == 1 && proto.equals(ownScheme);
    return own ? null : new Forwarded(host, proto);
  }

  /**
   * The host as it goes into a key: lower-cased, without the default port of the scheme; {@code ""} when absent.
   *
   * @param authority {@code host[:port]} or {@code [v6]:port}, or {@code null}
   */
  public static String host(String authority, boolean https) {
    if (authority == null) {
      return "";
    }
    String h = authority.trim().toLowerCase(Locale.ROOT);
    String defaultPort = https ? ":443" : ":80";
    if (h.endsWith(defaultPort)) {
      h = h.substring(0, h.length() - defaultPort.length());
    }
    return h;
  }

  /**
   * The path part of a key made by {@link #key}: what a purge by path prefix compares.
   *
   * @return the path (as folded into the key), or {@code null} when {@code key} does not have the key shape
   */
  public static String pathOf(String key) {
    int sp = key.indexOf(' ');
    if (sp < 0) {
      return null;
    }
    int start = sp + 1;
    if (key.startsWith("//", start)) {
      start = key.indexOf('/', start + 2);
      if (start < 0) {
        return null;
      }
    }
    int end = start;
    while (end < key.length() && key.charAt(end) != '?' && key.charAt(end) != ' ') {
      end++;
    }
    return key.substring(start, end);
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

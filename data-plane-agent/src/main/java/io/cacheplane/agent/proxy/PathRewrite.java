package io.cacheplane.agent.proxy;

/**
 * Gateway API's {@code ReplacePrefixMatch} path rewrite: the matched prefix of the request path is replaced by
 * another prefix, on segment boundaries. Trailing slashes of both prefixes do not matter; the rest of the path is
 * kept as is, and an empty result is {@code /}.
 *
 * <table>
 *   <caption>examples (from the Gateway API's HTTPPathModifier)</caption>
 *   <tr><th>path</th><th>prefix</th><th>replacement</th><th>result</th></tr>
 *   <tr><td>/shop/cart</td><td>/shop</td><td>/v2</td><td>/v2/cart</td></tr>
 *   <tr><td>/shop</td><td>/shop</td><td>/v2</td><td>/v2</td></tr>
 *   <tr><td>/shop/</td><td>/shop</td><td>/v2</td><td>/v2/</td></tr>
 *   <tr><td>/shop/cart</td><td>/shop/</td><td>/v2/</td><td>/v2/cart</td></tr>
 *   <tr><td>/shop/cart</td><td>/shop</td><td>/</td><td>/cart</td></tr>
 *   <tr><td>/shop</td><td>/shop</td><td>/</td><td>/</td></tr>
 * </table>
 */
public final class PathRewrite {

  private PathRewrite() {}

  /**
   * @param path the normalised request path, which matches {@code prefix} on a segment boundary
   * @param prefix the route's {@code match.pathPrefix}
   * @param replacement {@code rewrite.replacePrefixMatch} (starts with {@code /})
   * @return the rewritten path, starting with {@code /}
   * @throws IllegalArgumentException when {@code path} does not start with {@code prefix}
   */
  public static String replacePrefix(String path, String prefix, String replacement) {
    String p = trimTrailingSlashes(prefix);
    if (!path.startsWith(p)) {
      throw new IllegalArgumentException("path does not start with the prefix " + prefix);
    }
    String rest = path.substring(p.length()); // "" or starts with "/"
    String out = trimTrailingSlashes(replacement) + rest;
    return out.isEmpty() ? "/" : out;
  }

  private static String trimTrailingSlashes(String s) {
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '/') {
      end--;
    }
    return s.substring(0, end);
  }
}

package io.cacheplane.agent.proxy;

/**
 * Normalises the request path once, before route matching, cache keying and forwarding, so that all three see the
 * same path.
 *
 * <p>Why: routes used to be matched on the raw path and the raw path was forwarded. {@code /api/products/../cart}
 * then matched the {@code /api/products} prefix route (and its cache) while an upstream that resolves dot segments
 * (RFC 3986 §5.2.4, "Remove Dot Segments") served {@code /cart}: a request reached the upstream outside the route's
 * prefix, and that answer was cached under another route. Percent-encoded dots ({@code %2e%2e}) and encoded slashes
 * ({@code %2f}) do the same on upstreams that decode before resolving.
 *
 * <p>The rule, in order:
 * <ol>
 *   <li>the path must start with {@code /};
 *   <li>percent-encoded <em>unreserved</em> characters (RFC 3986 §2.3: {@code ALPHA / DIGIT / "-" / "." / "_" /
 *       "~"}) are decoded, so {@code %2e} becomes {@code .} and {@code %7E} becomes {@code ~}; every other
 *       percent-encoding is kept exactly as sent (hex case included), and {@code %25} is never decoded, so nothing is
 *       decoded twice;
 *   <li>the path is <em>rejected</em> (never repaired) when it then contains
 *       <ul>
 *         <li>a dot segment: a segment that is exactly {@code .} or {@code ..} (RFC 3986 §5.2.4), or is {@code .} or
 *             {@code ..} followed by {@code ;} path parameters (servlet containers strip those and then resolve the
 *             dot segment). {@code .well-known}, {@code a.b} and {@code a..b} are ordinary segments;
 *         <li>an encoded slash or backslash ({@code %2f}, {@code %5c}, any case) or a literal backslash;
 *         <li>a NUL or other control character, literal or encoded ({@code %00}–{@code %1f}, {@code %7f});
 *         <li>a malformed percent-encoding ({@code %} not followed by two hex digits).
 *       </ul>
 * </ol>
 * Nothing else is changed: empty segments ({@code //}) are not collapsed, trailing slashes are kept, no case is
 * folded. The query string is not part of the path and is forwarded as sent.
 */
public final class RequestPaths {

  /** A request path that must not be served; the message is safe to show to the client. */
  public static final class RejectedPathException extends IllegalArgumentException {
    RejectedPathException(String message) {
      super(message);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this; // an expected, client-caused outcome: no stack trace needed
    }
  }

  private RequestPaths() {}

  /**
   * @param rawPath the request path as sent, without the query
   * @return the normalised path (see the class comment)
   * @throws RejectedPathException when the path must be refused with 400
   */
  public static String normalize(String rawPath) {
    if (rawPath == null || !rawPath.startsWith("/")) {
      throw new RejectedPathException("request target must be an absolute path");
    }
    StringBuilder out = null; // allocated on the first decoded escape only
    int n = rawPath.length();
    for (int i = 0; i < n; i++) {
      char ch = rawPath.charAt(i);
      if (ch == '%') {
        int hi = i + 2 < n ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
        int lo = hi >= 0 ? Character.digit(rawPath.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw new RejectedPathException("path has a malformed percent-encoding");
        }
        int decoded = hi * 16 + lo;
        if (decoded == '/' || decoded == '\\') {
          throw new RejectedPathException("path must not contain an encoded slash or backslash");
        }
        if (decoded < 0x20 || decoded == 0x7f) {
          throw new RejectedPathException("path must not contain control characters");
        }
        if (unreserved(decoded)) {
          if (out == null) {
            out = new StringBuilder(n).append(rawPath, 0, i);
          }
          out.append((char) decoded);
        } else if (out != null) {
          out.append(rawPath, i, i + 3);
        }
        i += 2;
        continue;
      }
      if (ch == '\\') {
        throw new RejectedPathException("path must not contain a backslash");
      }
      if (ch < 0x20 || ch == 0x7f) {
        throw new RejectedPathException("path must not contain control characters");
      }
      if (out != null) {
        out.append(ch);
      }
    }
    String path = out == null ? rawPath : out.toString();
    if (hasDotSegment(path)) {
      throw new RejectedPathException("path must not contain dot segments");
    }
    return path;
  }

  /** RFC 3986 §2.3. */
  private static boolean unreserved(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
  }

  /** Whether a segment of {@code path} (which starts with {@code /}) is {@code .} or {@code ..}, ignoring {@code ;…}. */
  private static boolean hasDotSegment(String path) {
    int start = 1;
    while (start <= path.length()) {
      int end = path.indexOf('/', start);
      if (end < 0) {
        end = path.length();
      }
      int semi = path.indexOf(';', start);
      int stop = semi >= 0 && semi < end ? semi : end;
      int len = stop - start;
      if ((len == 1 || len == 2) && path.charAt(start) == '.' && (len == 1 || path.charAt(start + 1) == '.')) {
        return true;
      }
      start = end + 1;
    }
    return false;
  }
}

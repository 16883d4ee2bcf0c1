package io.cacheplane.agent.proxy;

import io.vertx.core.MultiMap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Header plumbing of a proxy (RFC 9110, section 7.6.1): hop-by-hop headers belong to one connection and are never
 * forwarded, in either direction. They are {@code Connection}, {@code Keep-Alive}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding}, {@code Upgrade}, every {@code Proxy-*} header, and every header the {@code Connection}
 * header names.
 */
public final class Headers {

  private static final Set<String> HOP_BY_HOP =
      Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade");

  private Headers() {}

  /** Whether {@code name} is hop-by-hop by itself (without looking at {@code Connection}). */
  public static boolean isHopByHop(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return HOP_BY_HOP.contains(n) || n.startsWith("proxy-");
  }

  /**
   * Adds {@code headers} to an outgoing message's headers, dropping any that Vert.x refuses (a value with CR or LF, a
   * name that is not a token): such a header would split the response (header injection), so it never reaches the
   * client, whether it came from an upstream or from the cache.
   *
   * @return the number of headers dropped
   */
  public static int addValid(MultiMap out, List<Map.Entry<String, String>> headers) {
    int dropped = 0;
    for (Map.Entry<String, String> h : headers) {
      try {
        out.add(h.getKey(), h.getValue());
      } catch (IllegalArgumentException e) {
        dropped++; // never log the value: it may carry anything
      }
    }
    return dropped;
  }

  /**
   * The end-to-end headers of {@code headers}, in order.
   *
   * @param headers the received headers
   * @param alsoDrop further names to drop (lower case), e.g. {@code content-length} when the body is re-framed
   */
  public static List<Map.Entry<String, String>> endToEnd(MultiMap headers, Set<String> alsoDrop) {
    Set<String> named = new HashSet<>(alsoDrop);
    for (String value : headers.getAll("Connection")) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          named.add(t);
        }
      }
    }
    List<Map.Entry<String, String>> out = new ArrayList<>(headers.size());
    for (Map.Entry<String, String> h : headers) {
      String n = h.getKey().toLowerCase(Locale.ROOT);
      if (!isHopByHop(n) && !named.contains(n)) {
        out.add(Map.entry(h.getKey(), h.getValue()));
      }
    }
    return out;
  }
}

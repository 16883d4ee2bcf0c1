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

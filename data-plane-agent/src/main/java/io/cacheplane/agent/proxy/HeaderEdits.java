package io.cacheplane.agent.proxy;

import io.cacheplane.api.v1alpha1.HeaderModifier;
import io.cacheplane.api.v1alpha1.HttpHeader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A compiled {@link HeaderModifier} (Gateway API's {@code HTTPHeaderFilter}): {@code remove} deletes every header of a
 * name, {@code set} replaces all headers of a name by one, {@code add} appends one; applied in that order. Names
 * compare case-insensitively. Immutable.
 *
 * @param remove lower-case names removed
 * @param set headers set (replacing any of the same name)
 * @param add headers appended
 */
public record HeaderEdits(Set<String> remove, List<Map.Entry<String, String>> set,
    List<Map.Entry<String, String>> add) {

  /** Changes nothing. */
  public static final HeaderEdits NONE = new HeaderEdits(Set.of(), List.of(), List.of());

  public HeaderEdits {
    remove = Set.copyOf(remove);
    set = List.copyOf(set);
    add = List.copyOf(add);
  }

  /** Compiles a validated modifier; {@code null} gives {@link #NONE}. */
  public static HeaderEdits of(HeaderModifier m) {
    if (m == null) {
      return NONE;
    }
    Set<String> remove = new HashSet<>();
    if (m.getRemove() != null) {
      m.getRemove().forEach(n -> remove.add(n.toLowerCase(Locale.ROOT)));
    }
    return new HeaderEdits(remove, entries(m.getSet()), entries(m.getAdd()));
  }

  private static List<Map.Entry<String, String>> entries(List<HttpHeader> headers) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    if (headers != null) {
      headers.forEach(h -> out.add(Map.entry(h.getName(), h.getValue())));
    }
    return out;
  }

  /** Whether applying changes nothing. */
  public boolean isEmpty() {
    return remove.isEmpty() && set.isEmpty() && add.isEmpty();
  }

  /**
   * @param headers headers in order (not modified)
   * @return a new list: {@code headers} with the edits applied; a set header takes the place of the first header of
   *     that name, or goes to the end
   */
  public List<Map.Entry<String, String>> apply(List<Map.Entry<String, String>> headers) {
    if (isEmpty()) {
      return headers;
    }
    List<Map.Entry<String, String>> out = new ArrayList<>(headers.size() + set.size() + add.size());
    Map<String, Map.Entry<String, String>> setByName = new java.util.LinkedHashMap<>();
    for (Map.Entry<String, String> s : set) {
      setByName.put(s.getKey().toLowerCase(Locale.ROOT), s); // the last of duplicate names wins
    }
    Set<String> placed = new HashSet<>();
    for (Map.Entry<String, String> h : headers) {
      String n = h.getKey().toLowerCase(Locale.ROOT);
      if (remove.contains(n)) {
        continue;
      }
      Map.Entry<String, String> replacement = setByName.get(n);
      if (replacement == null) {
        out.add(h);
      } else if (placed.add(n)) {
        out.add(replacement);
      }
    }
    setByName.forEach((n, s) -> {
      if (!placed.contains(n)) {
        out.add(s);
      }
    });
    out.addAll(add);
    return out;
  }
}

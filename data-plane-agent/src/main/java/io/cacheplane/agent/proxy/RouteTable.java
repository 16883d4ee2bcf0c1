package io.cacheplane.agent.proxy;

import io.cacheplane.agent.proxy.CompiledRoute.Exact;
import io.cacheplane.agent.proxy.CompiledRoute.Prefix;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The routes of every applied RoutePolicy merged into one immutable table (DESIGN.md, "Several policies on one
 * agent"). A request goes to the first route, in this order, whose path rule, methods and headers all hold:
 * <ol>
 *   <li>exact paths;
 *   <li>prefixes, longest first (a route without a path rule is the prefix {@code /});
 *   <li>regular expressions, in declared order.
 * </ol>
 * Within each group ties go by policy name, then by route order in the policy. The table is rebuilt on every
 * change and swapped atomically, so a request sees either the old or the new table, never a mix.
 */
public final class RouteTable {

  private static final Comparator<CompiledRoute> DECLARED =
      Comparator.comparing(CompiledRoute::policy).thenComparingInt(CompiledRoute::index);

  /** The table with no routes: every request gets 404. */
  public static final RouteTable EMPTY = new RouteTable(List.of());

  private final Map<String, List<CompiledRoute>> exact;
  private final List<CompiledRoute> prefixes;
  private final List<CompiledRoute> regexes;
  private final int size;

  private RouteTable(Collection<CompiledRoute> routes) {
    Map<String, List<CompiledRoute>> byPath = new HashMap<>();
    List<CompiledRoute> pre = new ArrayList<>();
    List<CompiledRoute> re = new ArrayList<>();
    for (CompiledRoute r : routes) {
      if (r.path() instanceof Exact e) {
        byPath.computeIfAbsent(e.path(), p -> new ArrayList<>()).add(r);
      } else if (r.path() instanceof Prefix) {
        pre.add(r);
      } else {
        re.add(r);
      }
    }
    byPath.replaceAll((p, list) -> list.stream().sorted(DECLARED).toList());
    pre.sort(Comparator.<CompiledRoute>comparingInt(r -> ((Prefix) r.path()).prefix().length()).reversed()
        .thenComparing(DECLARED));
    re.sort(DECLARED);
    this.exact = Map.copyOf(byPath);
    this.prefixes = List.copyOf(pre);
    this.regexes = List.copyOf(re);
    this.size = routes.size();
  }

  /** A table of {@code routes} (any order). */
  public static RouteTable of(Collection<CompiledRoute> routes) {
    return routes.isEmpty() ? EMPTY : new RouteTable(routes);
  }

  /**
   * @param method the request method, upper case
   * @param path the request path normalised by {@link RequestPaths#normalize} (no query)
   * @param headers all values of a request header by lower-case name; empty list when absent
   * @return the matching route, or {@code null}
   */
  public CompiledRoute match(String method, String path, Function<String, List<String>> headers) {
    List<CompiledRoute> candidates = exact.get(path);
    if (candidates != null) {
      for (CompiledRoute r : candidates) {
        if (r.conditionsHold(method, headers)) {
          return r;
        }
      }
    }
    for (CompiledRoute r : prefixes) {
      if (r.path().matches(path) && r.conditionsHold(method, headers)) {
        return r;
      }
    }
    for (CompiledRoute r : regexes) {
      if (r.path().matches(path) && r.conditionsHold(method, headers)) {
        return r;
      }
    }
    return null;
  }

  /** Number of routes. */
  public int size() {
    return size;
  }

  /** Every route in matching order (exact routes grouped by path), for diagnostics. */
  public List<CompiledRoute> routes() {
    List<CompiledRoute> all = new ArrayList<>();
    exact.values().forEach(all::addAll);
    all.addAll(prefixes);
    all.addAll(regexes);
    return all;
  }
}

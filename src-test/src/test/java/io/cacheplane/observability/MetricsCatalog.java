package io.cacheplane.observability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric catalog of {@code docs/observability.md} and the checks run against it: parsing the documented table
 * and a Prometheus text scrape (format 0.0.4), the naming rules, the bounded-label rule and the metric names of a
 * PromQL expression. Pure functions; the tests feed them.
 */
final class MetricsCatalog {

  /** The documentation page holding the table, relative to the repository root. */
  static final Path DOC = Path.of("docs", "observability.md");

  /**
   * Series Prometheus itself writes for every target (allowed in PromQL besides the catalog). {@code up} is the
   * scrape health of a target.
   */
  static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  private static final Pattern ROW = Pattern.compile("^\\|\\s*`(cacheplane_[a-z0-9_]+)`\\s*\\|\\s*([a-z]+)\\s*\\|");
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+\\S+.*$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern NAME = Pattern.compile("^cacheplane_[a-z][a-z0-9]*(_[a-z0-9]+)*$");
  private static final Pattern BOUNDED_VALUE = Pattern.compile("^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$");
  private static final Pattern HASH = Pattern.compile("^[0-9a-f]{12,}$");
  private static final Set<String> NOT_BASE_UNITS = Set.of("milliseconds", "millis", "ms", "microseconds", "us",
      "nanoseconds", "ns", "minutes", "hours", "days", "kilobytes", "megabytes", "gigabytes", "kb", "mb", "kib",
      "mib", "bits", "percent");
  private static final Set<String> TIME_WORDS = Set.of("duration", "latency", "time", "convergence", "age", "delay");
  private static final Set<String> SIZE_WORDS = Set.of("size", "length");
  private static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "offset", "bool", "and", "or", "unless", "inf", "nan");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");

  private MetricsCatalog() {
  }

  /** One metric family of a scrape: its Prometheus type and the label sets of its samples. */
  record Family(String name, String type, List<Map<String, String>> samples) {}

  /**
   * The documented table as name → type ({@code counter}, {@code gauge}, {@code summary}, {@code histogram}), in
   * document order.
   */
  static Map<String, String> documented(Path repoRoot) {
    try {
      return documented(Files.readString(repoRoot.resolve(DOC)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** As {@link #documented(Path)}, from the Markdown text; a name listed twice is an error. */
  static Map<String, String> documented(String markdown) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : markdown.split("\n")) {
      Matcher m = ROW.matcher(line.strip());
      if (m.find() && out.put(m.group(1), m.group(2)) != null) {
        throw new IllegalStateException("metric documented twice: " + m.group(1));
      }
    }
    return out;
  }

  /**
   * The {@code cacheplane_*} families of a Prometheus text scrape, keyed by the name a user queries: a counter's
   * {@code _total} name, a summary's or histogram's base name, a gauge's name. Samples of a summary ({@code _count},
   * {@code _sum}, quantiles) or histogram ({@code _bucket} too) go to their family, without the {@code quantile} and
   * {@code le} labels.
   */
  static Map<String, Family> families(String scrape) {
    Map<String, String> types = new LinkedHashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.substring(7).trim().split("\\s+");
        types.put(p[0], p[1]);
      }
    }
    Map<String, Family> out = new LinkedHashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      if (!m.matches() || !m.group(1).startsWith("cacheplane_")) {
        continue;
      }
      String sample = m.group(1);
      String family = familyOf(sample, types);
      String type = types.getOrDefault(family, types.getOrDefault(sample, "untyped"));
      String key = "counter".equals(type) && !family.endsWith("_total") ? family + "_total" : family;
      Map<String, String> labels = new LinkedHashMap<>();
      if (m.group(3) != null) {
        Matcher l = LABEL.matcher(m.group(3));
        while (l.find()) {
          if (!"quantile".equals(l.group(1)) && !"le".equals(l.group(1))) { // bounds, not labels of ours
            labels.put(l.group(1), l.group(2));
          }
        }
      }
      out.computeIfAbsent(key, k -> new Family(k, type, new ArrayList<>())).samples().add(labels);
    }
    return out;
  }

  private static String familyOf(String sample, Map<String, String> types) {
    if (types.containsKey(sample)) {
      return sample;
    }
    for (String suffix : List.of("_total", "_count", "_sum", "_bucket", "_created")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        if (types.containsKey(base)) {
          return base;
        }
      }
    }
    return sample;
  }

  /**
   * What is wrong with a metric's name for its type, by Prometheus' naming practices: {@code cacheplane_} prefix,
   * snake_case; counters and only counters end in {@code _total}; base units ({@code _seconds}, {@code _bytes}) in
   * names of times and sizes, never another unit. Empty when the name is fine.
   */
  static List<String> namingViolations(String name, String type) {
    List<String> out = new ArrayList<>();
    if (!NAME.matcher(name).matches()) {
      out.add(name + ": not cacheplane_ followed by snake_case words");
    }
    boolean total = name.endsWith("_total");
    if ("counter".equals(type) && !total) {
      out.add(name + ": a counter must end in _total");
    }
    if (!"counter".equals(type) && total) {
      out.add(name + ": only counters end in _total (this is a " + type + ")");
    }
    List<String> words = List.of(name.split("_"));
    for (String w : words) {
      if (NOT_BASE_UNITS.contains(w)) {
        out.add(name + ": unit " + w + " is not a base unit (use seconds or bytes)");
      }
    }
    boolean measured = !"counter".equals(type);
    if (measured && words.stream().anyMatch(TIME_WORDS::contains) && !words.contains("seconds")) {
      out.add(name + ": a time must be in seconds, named _seconds");
    }
    if (measured && words.stream().anyMatch(SIZE_WORDS::contains) && !words.contains("bytes")) {
      out.add(name + ": a size must be in bytes, named _bytes");
    }
    return out;
  }

  /**
   * Whether a label value could be unbounded: it does not look like an object name, an enumeration or a status class
   * (1 to 63 letters, digits, {@code - _ .}), or it looks like a hash; paths, queries, URLs and header values fail.
   */
  static boolean looksUnbounded(String value) {
    return !BOUNDED_VALUE.matcher(value).matches() || HASH.matcher(value).matches();
  }

  /**
   * The metric names a PromQL expression reads: identifiers that are not functions, keywords, label names (inside
   * {@code {}} or a {@code by (...)} list), durations or strings. Grafana variables ({@code $name}) are ignored.
   */
  static Set<String> metricNames(String promql) {
    String s = promql.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''")
        .replaceAll("\\{[^}]*}", "{}")
        .replaceAll("\\[[^]]*]", "[]")
        .replaceAll("\\$\\{?[A-Za-z_][A-Za-z0-9_]*}?", " ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("(?<![A-Za-z0-9_:.])([A-Za-z_:][A-Za-z0-9_:]*)(\\s*\\()?").matcher(s);
    while (m.find()) {
      String word = m.group(1);
      if (m.group(2) != null || PROMQL_WORDS.contains(word.toLowerCase())) {
        continue;
      }
      out.add(word);
    }
    return out;
  }

  /**
   * The names in {@code used} that are neither in the catalog (a summary's {@code _count}/{@code _sum} and a
   * histogram's {@code _count}/{@code _sum}/{@code _bucket} count as its own) nor one of {@link #PROMETHEUS_SERIES}.
   */
  static Set<String> unknown(Set<String> used, Map<String, String> catalog) {
    Set<String> out = new LinkedHashSet<>();
    for (String name : used) {
      if (catalog.containsKey(name) || PROMETHEUS_SERIES.contains(name)) {
        continue;
      }
      String base = name.replaceFirst("_(count|sum|bucket)$", "");
      String type = catalog.get(base);
      if (!base.equals(name) && ("histogram".equals(type) || ("summary".equals(type) && !name.endsWith("_bucket")))) {
        continue;
      }
      out.add(name);
    }
    return out;
  }
}

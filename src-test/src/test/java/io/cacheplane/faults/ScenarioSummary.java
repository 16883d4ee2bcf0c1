package io.cacheplane.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One compact line per fault scenario, for the build log and for docs/reliability.md:
 * {@code [faults] <scenario> fault=<how> sent=.. answered=.. failed=.. hit=.. miss=.. bypass=.. <key>=<value>...}.
 * Printed to stderr and appended to {@code target/fault-summary.txt}.
 */
final class ScenarioSummary {

  static final Path FILE = Path.of("target", "fault-summary.txt");

  private final String scenario;
  private final Map<String, Object> values = new LinkedHashMap<>();

  private ScenarioSummary(String scenario) {
    this.scenario = scenario;
  }

  /** A summary of {@code scenario} (the promise, in a few words without spaces, e.g. {@code api-outage}). */
  static ScenarioSummary of(String scenario) {
    return new ScenarioSummary(scenario);
  }

  /** Adds {@code key=value} (kept in insertion order; a second put of a key replaces the value). */
  ScenarioSummary put(String key, Object value) {
    values.put(key, value);
    return this;
  }

  /** Adds the traffic counters. */
  ScenarioSummary traffic(Traffic.Snapshot s) {
    values.put("sent", s.sent());
    values.put("answered", s.answered());
    values.put("failed", s.failed());
    values.put("hit", s.hits());
    values.put("miss", s.misses());
    values.put("bypass", s.byCache().getOrDefault("BYPASS", 0L));
    return this;
  }

  /** The line. */
  String line() {
    StringBuilder b = new StringBuilder("[faults] ").append(scenario);
    values.forEach((k, v) -> b.append(' ').append(k).append('=').append(v));
    return b.toString();
  }

  /** Prints the line and appends it to {@link #FILE}. */
  String print() {
    String line = line();
    System.err.println(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.err.println("[faults] cannot append to " + FILE + ": " + e);
    }
    return line;
  }
}

package io.cacheplane.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The only way the operator sets conditions (pure). A condition keeps its {@code lastTransitionTime} unless its
 * status flips; reason, message and observedGeneration follow the desired state. Conditions of types not in
 * the desired list are kept as they are, after the desired ones.
 */
public final class Conditions {

  private Conditions() {}

  /**
   * @param previous the conditions currently in status ({@code null} = none)
   * @param desired the conditions wanted now, in output order
   * @param observedGeneration the generation these conditions describe
   * @param now the time of a flip (from the operator's injected {@link java.time.Clock})
   * @return a new list; equal to {@code previous} when nothing but time would differ
   */
  public static List<Condition> merge(List<Condition> previous, List<DesiredCondition> desired,
      long observedGeneration, Instant now) {
    List<Condition> before = previous == null ? List.of() : previous;
    List<Condition> out = new ArrayList<>(desired.size() + before.size());
    for (DesiredCondition d : desired) {
      Condition old = find(before, d.type());
      String status = d.status() ? "True" : "False";
      String since = old != null && status.equals(old.getStatus()) && old.getLastTransitionTime() != null
          ? old.getLastTransitionTime()
          : rfc3339(now);
      out.add(new Condition(since, d.message(), observedGeneration, d.reason(), status, d.type()));
    }
    Set<String> owned = desired.stream().map(DesiredCondition::type).collect(Collectors.toSet());
    before.stream().filter(c -> c != null && !owned.contains(c.getType())).forEach(out::add);
    return out;
  }

  /** The condition of {@code type}, or {@code null}. */
  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> c != null && type.equals(c.getType())).findFirst().orElse(null);
  }

  /** RFC 3339 in UTC with second precision, as Kubernetes writes {@code metav1.Time}: {@code 2026-11-29T11:10:00Z}. */
  public static String rfc3339(Instant instant) {
    return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
  }
}

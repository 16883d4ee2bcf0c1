package io.cacheplane.operator.status;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A label selector as the text {@code kubectl get -l} takes (Kubernetes' {@code LabelSelector.String()}):
 * {@code matchLabels} as {@code k=v} sorted by key, then each {@code matchExpressions} entry in order as
 * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k} (Exists) or {@code !k} (DoesNotExist), comma-separated.
 * For status messages, so a user can paste it: {@code kubectl get pods -l '<text>'}.
 */
public final class SelectorText {

  /** What an absent or empty selector selects (Cacheplane's rule: every agent in the namespace). */
  public static final String EVERY_AGENT = "<empty: every agent in the namespace>";

  private SelectorText() {}

  /**
   * @param selector a policy's {@code agentSelector}, or {@code null}
   * @return e.g. {@code app=agent,zone in (a,b)}; {@link #EVERY_AGENT} for {@code null} or an empty selector. Never
   *     throws: an expression with an unknown operator is shown as {@code key <operator> (values)}
   */
  public static String of(LabelSelector selector) {
    List<String> parts = new ArrayList<>();
    if (selector != null && selector.getMatchLabels() != null) {
      new TreeMap<>(selector.getMatchLabels()).forEach((k, v) -> parts.add(k + "=" + (v == null ? "" : v)));
    }
    if (selector != null && selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
        if (r == null) {
          continue;
        }
        String values = "(" + String.join(",", r.getValues() == null ? List.of() : r.getValues()) + ")";
        String op = r.getOperator() == null ? "" : r.getOperator();
        parts.add(switch (op) {
          case "In" -> r.getKey() + " in " + values;
          case "NotIn" -> r.getKey() + " notin " + values;
          case "Exists" -> r.getKey();
          case "DoesNotExist" -> "!" + r.getKey();
          default -> r.getKey() + " " + op + " " + values;
        });
      }
    }
    return parts.isEmpty() ? EVERY_AGENT : String.join(",", parts);
  }
}

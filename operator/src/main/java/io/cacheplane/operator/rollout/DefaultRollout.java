package io.cacheplane.operator.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the operator's default rollout strategy from configuration text ({@code cacheplane.operator.default-rollout}):
 * the same shape as a policy's {@code spec.rollout}, as YAML or JSON (JSON is YAML), e.g.
 * <pre>{@code
 * steps: [{setWeight: 10}, {pause: {duration: 1m}}, {setWeight: 100}]
 * progressDeadline: 10m
 * analysis: {interval: 30s, maxErrorRate: 0.05, minRequests: 20, failureLimit: 1}
 * }</pre>
 * Fields left out come from the built-in default ({@code OperatorSettings.DEFAULT_STRATEGY}).
 */
public final class DefaultRollout {

  private DefaultRollout() {}

  /**
   * @param text YAML or JSON
   * @param builtIn the built-in default that fills absent fields
   * @throws IllegalArgumentException with a message naming the field when the text is not a valid strategy
   */
  public static RolloutStrategy parse(String text, RolloutStrategy builtIn) {
    RolloutStrategy s;
    try {
      s = Json.YAML.readValue(text, RolloutStrategy.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cacheplane.operator.default-rollout is not a rollout strategy: "
          + e.getOriginalMessage(), e);
    }
    if (s == null) {
      return builtIn;
    }
    List<String> problems = new ArrayList<>();
    List<RolloutStep> steps = s.getSteps();
    for (int i = 0; steps != null && i < steps.size(); i++) {
      RolloutStep step = steps.get(i);
      if (step == null || (step.getSetWeight() == null) == (step.getPause() == null)) {
        problems.add("steps[" + i + "]: exactly one of setWeight or pause is required");
      } else if (step.getSetWeight() != null && (step.getSetWeight() < 0 || step.getSetWeight() > 100)) {
        problems.add("steps[" + i + "].setWeight: must be between 0 and 100, got " + step.getSetWeight());
      }
    }
    if (s.getAnalysis() != null && s.getAnalysis().getMaxErrorRate() != null
        && (s.getAnalysis().getMaxErrorRate() < 0 || s.getAnalysis().getMaxErrorRate() > 1)) {
      problems.add("analysis.maxErrorRate: must be a fraction between 0.0 and 1.0");
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("cacheplane.operator.default-rollout: " + String.join("; ", problems));
    }
    RolloutStrategy merged = new RolloutStrategy();
    merged.setSteps(s.getSteps() != null ? s.getSteps() : builtIn.getSteps());
    merged.setAnalysis(s.getAnalysis() != null ? s.getAnalysis() : builtIn.getAnalysis());
    merged.setProgressDeadline(s.getProgressDeadline() != null ? s.getProgressDeadline() : builtIn.getProgressDeadline());
    Strategy.resolve(merged, merged); // durations must parse
    return merged;
  }
}

package io.cacheplane.kubectl.status;

import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutStep;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rollout step a policy is at, for display.
 *
 * @param number 1-based step number ({@code status.currentStepIndex + 1})
 * @param total number of steps, or {@code null} when unknown
 * @param description e.g. {@code setWeight 10}, {@code pause 1m}, {@code pause (until promoted)}; {@code null} when
 *     unknown or past the last step
 * @param bake the bake time of a timed pause step, else {@code null}
 */
public record CurrentStep(int number, Integer total, String description, Duration bake) {

  /** The operator's Progressing message starts with {@code step <i>/<n> (<step>)} (CanaryRollout.stepLabel). */
  private static final Pattern MESSAGE = Pattern.compile("^step (\\d{1,6})/(\\d{1,6}) \\(([^)]{1,100})\\)");
  private static final Pattern PAUSE = Pattern.compile("^pause ([0-9][0-9a-z.]{0,30})$");

  /**
   * The current step, from {@code spec.rollout.steps} when the policy has them, else from the Progressing
   * condition's message (policies on the operator's default strategy: the operator names the step there).
   *
   * @return {@code null} when no rollout runs ({@code status.currentStepIndex} absent)
   */
  public static CurrentStep of(PolicySpec spec, PolicyStatus status) {
    if (status == null || status.getCurrentStepIndex() == null || status.getCurrentStepIndex() < 0) {
      return null;
    }
    int index = status.getCurrentStepIndex();
    List<RolloutStep> steps = spec == null || spec.getRollout() == null ? null : spec.getRollout().getSteps();
    if (steps != null && !steps.isEmpty()) {
      if (index >= steps.size()) {
        return new CurrentStep(index + 1, steps.size(), null, null);
      }
      RolloutStep step = steps.get(index);
      if (step.getSetWeight() != null) {
        return new CurrentStep(index + 1, steps.size(), "setWeight " + step.getSetWeight(), null);
      }
      String duration = step.getPause() == null ? null : step.getPause().getDuration();
      Duration bake = duration == null ? null : parseDuration(duration);
      return new CurrentStep(index + 1, steps.size(),
          duration == null ? "pause (until promoted)" : "pause " + duration, bake);
    }
    String message = StatusView.condition(status, io.cacheplane.api.v1alpha1.PolicyConditions.PROGRESSING)
        .map(c -> c.getMessage()).orElse(null);
    if (message != null) {
      Matcher m = MESSAGE.matcher(message);
      if (m.find() && Integer.parseInt(m.group(1)) == index + 1) {
        String description = m.group(3);
        Matcher p = PAUSE.matcher(description);
        return new CurrentStep(index + 1, Integer.parseInt(m.group(2)), description,
            p.matches() ? parseDuration(p.group(1)) : null);
      }
    }
    return new CurrentStep(index + 1, null, null, null);
  }

  /** {@code 2/5 (pause 1m)}, {@code 2/5}, {@code 2/?}. */
  public String label() {
    return number + "/" + (total == null ? "?" : total) + (description == null ? "" : " (" + description + ")");
  }

  /** A Kubernetes duration ({@code 30s}, {@code 1m30s}), or {@code null} when it is not one. */
  static Duration parseDuration(String text) {
    try {
      return io.fabric8.kubernetes.api.model.Duration.parse(text).getDuration();
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }
}

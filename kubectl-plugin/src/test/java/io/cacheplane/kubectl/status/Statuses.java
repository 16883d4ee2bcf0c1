package io.cacheplane.kubectl.status;

import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.PauseStep;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutStep;
import io.cacheplane.api.v1alpha1.RolloutStrategy;
import io.cacheplane.kubectl.cluster.PolicyKind;
import io.cacheplane.kubectl.cluster.PolicyRef;
import io.cacheplane.kubectl.cluster.PolicySnapshot;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Builders of specs and statuses for the status tests. */
final class Statuses {

  private Statuses() {}

  /** A spec with steps written as {@code 10} (setWeight), {@code "1m"} (pause) or {@code null} (indefinite pause). */
  static CachePolicySpec spec(Object... steps) {
    CachePolicySpec spec = new CachePolicySpec();
    if (steps.length > 0) {
      List<RolloutStep> list = new ArrayList<>();
      for (Object o : steps) {
        RolloutStep step = new RolloutStep();
        if (o instanceof Integer w) {
          step.setSetWeight(w);
        } else {
          PauseStep pause = new PauseStep();
          pause.setDuration((String) o);
          step.setPause(pause);
        }
        list.add(step);
      }
      RolloutStrategy rollout = new RolloutStrategy();
      rollout.setSteps(list);
      spec.setRollout(rollout);
    }
    return spec;
  }

  static PolicyStatus status(PolicyPhase phase, long observedGeneration, Condition... conditions) {
    PolicyStatus s = new PolicyStatus();
    s.setPhase(phase);
    s.setObservedGeneration(observedGeneration);
    s.setConditions(new ArrayList<>(List.of(conditions)));
    return s;
  }

  static Condition condition(String type, String status, String reason, String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message).build();
  }

  static PolicySnapshot policy(long generation, CachePolicySpec spec, PolicyStatus status) {
    return new PolicySnapshot(new PolicyRef(PolicyKind.CACHE_POLICY, "pages"), "shop", "uid-1", generation, Map.of(),
        spec, status, "7");
  }
}

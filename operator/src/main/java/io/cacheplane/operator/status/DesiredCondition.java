package io.cacheplane.operator.status;

import java.util.Objects;

/**
 * A condition as a decision wants it, before {@link Conditions#merge} adds the bookkeeping
 * ({@code lastTransitionTime}, {@code observedGeneration}).
 *
 * @param type a condition type of {@link io.cacheplane.api.v1alpha1.PolicyConditions}
 * @param status true or false (the operator never writes {@code Unknown})
 * @param reason a reason of {@link io.cacheplane.api.v1alpha1.PolicyConditions}
 * @param message human-readable detail, already bounded in length
 */
public record DesiredCondition(String type, boolean status, String reason, String message) {

  public DesiredCondition {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }
}

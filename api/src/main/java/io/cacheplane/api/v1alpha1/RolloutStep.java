package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** One rollout step: exactly one of {@code setWeight} or {@code pause}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RolloutStep {

  @JsonPropertyDescription("Percent (0-100) of the matched agents that serve the new revision after this step.")
  @Min(0)
  @Max(100)
  private Integer setWeight;

  @JsonPropertyDescription("Wait before the next step: for duration, or until promoted when no duration is given.")
  private PauseStep pause;

  public Integer getSetWeight() { return setWeight; }
  public void setSetWeight(Integer setWeight) { this.setWeight = setWeight; }
  public PauseStep getPause() { return pause; }
  public void setPause(PauseStep pause) { this.pause = pause; }
}

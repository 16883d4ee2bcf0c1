package io.cacheplane.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;

/** A bake time, or an indefinite pause when {@code duration} is absent. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PauseStep {

  @JsonPropertyDescription("Bake time as a duration (e.g. 60s, 5m). Absent: pause until promoted.")
  @Pattern(Durations.PATTERN)
  private String duration;

  public String getDuration() { return duration; }
  public void setDuration(String duration) { this.duration = duration; }
}

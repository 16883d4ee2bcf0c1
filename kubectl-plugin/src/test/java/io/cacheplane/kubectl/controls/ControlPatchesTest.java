package io.cacheplane.kubectl.controls;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.RolloutControls;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPatchesTest {

  @Test
  void annotationPatchTouchesOnlyThatAnnotation() {
    assertThat(ControlPatches.annotation(RolloutControls.PROMOTE_ANNOTATION, "2025-06-01T12:00:00.123456Z"))
        .isEqualTo("{\"metadata\":{\"annotations\":{\"cacheplane.io/promote\":\"2025-06-01T12:00:00.123456Z\"}}}");
  }

  @Test
  void tokensAreJsonEscaped() throws Exception {
    String patch = ControlPatches.annotation(RolloutControls.ABORT_ANNOTATION, "a\"b\\c\n");
    assertThat(Json.JSON.readValue(patch, Map.class))
        .isEqualTo(Map.of("metadata", Map.of("annotations", Map.of("cacheplane.io/abort", "a\"b\\c\n"))));
  }

  @Test
  void pausePatchTouchesOnlySpecPaused() {
    assertThat(ControlPatches.paused(true)).isEqualTo("{\"spec\":{\"paused\":true}}");
    assertThat(ControlPatches.paused(false)).isEqualTo("{\"spec\":{\"paused\":false}}");
  }
}

package io.cacheplane.operator.rollout;

import io.cacheplane.api.v1alpha1.RolloutControls;
import java.util.Map;
import java.util.Objects;

/**
 * Control tokens: on the policy (annotations, requested) or in status (last handled). A requested token that differs
 * from the handled one triggers its action once (DESIGN.md, "Controls").
 *
 * @param promote {@value RolloutControls#PROMOTE_ANNOTATION}
 * @param promoteFull {@value RolloutControls#PROMOTE_FULL_ANNOTATION}
 * @param abort {@value RolloutControls#ABORT_ANNOTATION}
 * @param retry {@value RolloutControls#RETRY_ANNOTATION}
 */
public record Controls(String promote, String promoteFull, String abort, String retry) {

  /** No token. */
  public static final Controls NONE = new Controls(null, null, null, null);

  /** The tokens in a policy's annotations ({@code null} map = none). */
  public static Controls fromAnnotations(Map<String, String> annotations) {
    if (annotations == null) {
      return NONE;
    }
    return new Controls(annotations.get(RolloutControls.PROMOTE_ANNOTATION),
        annotations.get(RolloutControls.PROMOTE_FULL_ANNOTATION), annotations.get(RolloutControls.ABORT_ANNOTATION),
        annotations.get(RolloutControls.RETRY_ANNOTATION));
  }

  static boolean isNew(String requested, String handled) {
    return requested != null && !requested.isBlank() && !Objects.equals(requested, handled);
  }
}

package io.cacheplane.kubectl.controls;

import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.kubectl.ExitCodes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kubectl cacheplane promote [--full] <kind>/<name>}. */
@Command(name = "promote", mixinStandardHelpOptions = true,
    header = "Go on to the next step, or (--full) promote the canary now.",
    description = {"Goes on to the next rollout step (e.g. past an indefinite pause or a bake), or with --full "
        + "promotes the canary to stable at once.",
        "Sets the annotation cacheplane.io/promote (or cacheplane.io/promote-full) to a new token, the "
            + "current time; the operator acts on each new token once. Never edits spec or status."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class PromoteCommand extends ControlCommand {

  @Option(names = "--full", description = "Skip every remaining step: the canary becomes stable now.")
  boolean full;

  @Override
  String patch(String token) {
    return ControlPatches.annotation(annotation(), token);
  }

  @Override
  String done(String token) {
    return (full ? "full promotion" : "promotion to the next step") + " requested (" + annotation() + "=" + token
        + ")";
  }

  private String annotation() {
    return full ? RolloutControls.PROMOTE_FULL_ANNOTATION : RolloutControls.PROMOTE_ANNOTATION;
  }

  @Override
  String note(PolicyStatus status) {
    return status == null || status.getCanaryRevision() == null
        ? "no rollout is in progress (status.canaryRevision is empty): nothing to promote"
        : null;
  }
}

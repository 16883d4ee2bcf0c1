package io.cacheplane.kubectl.controls;

import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.kubectl.ExitCodes;
import picocli.CommandLine.Command;

/** {@code kubectl cacheplane abort <kind>/<name>}. */
@Command(name = "abort", mixinStandardHelpOptions = true,
    header = "Abort the rollout: back to the stable revision.",
    description = {"Aborts the running rollout: every agent goes back to the stable revision, and this revision is "
        + "not rolled out again until the spec changes or you retry.",
        "Sets the annotation cacheplane.io/abort to a new token, the current time. Never edits spec or status."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class AbortCommand extends ControlCommand {

  @Override
  String patch(String token) {
    return ControlPatches.annotation(RolloutControls.ABORT_ANNOTATION, token);
  }

  @Override
  String done(String token) {
    return "abort requested (" + RolloutControls.ABORT_ANNOTATION + "=" + token + ")";
  }

  @Override
  String note(PolicyStatus status) {
    return status == null || status.getCanaryRevision() == null
        ? "no rollout is in progress (status.canaryRevision is empty): nothing to abort"
        : null;
  }
}

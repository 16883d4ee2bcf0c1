package io.cacheplane.kubectl.controls;

import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.kubectl.ExitCodes;
import picocli.CommandLine.Command;

/** {@code kubectl cacheplane retry <kind>/<name>}. */
@Command(name = "retry", mixinStandardHelpOptions = true,
    header = "Restart an aborted or rolled-back rollout.",
    description = {"Restarts the steps of an aborted or rolled-back rollout of the same revision.",
        "Sets the annotation cacheplane.io/retry to a new token, the current time. Never edits spec or status."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class RetryCommand extends ControlCommand {

  @Override
  String patch(String token) {
    return ControlPatches.annotation(RolloutControls.RETRY_ANNOTATION, token);
  }

  @Override
  String done(String token) {
    return "retry requested (" + RolloutControls.RETRY_ANNOTATION + "=" + token + ")";
  }

  @Override
  String note(PolicyStatus status) {
    return status == null || status.getAborted() == null
        ? "no rollout was aborted or rolled back (status.aborted is empty): nothing to retry"
        : null;
  }
}

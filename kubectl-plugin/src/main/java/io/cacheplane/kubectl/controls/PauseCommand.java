package io.cacheplane.kubectl.controls;

import io.cacheplane.kubectl.ExitCodes;
import picocli.CommandLine.Command;

/** {@code kubectl cacheplane pause <kind>/<name>}. */
@Command(name = "pause", mixinStandardHelpOptions = true,
    header = "Freeze the rollout (spec.paused=true).",
    description = {"Freezes the rollout at its step: timers stop, and resume shifts them by the pause. Sets "
        + "spec.paused to true with a JSON merge patch; a GitOps tool that owns spec.paused will set it "
        + "back."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class PauseCommand extends ControlCommand {

  @Override
  String patch(String token) {
    return ControlPatches.paused(true);
  }

  @Override
  String done(String token) {
    return "paused (spec.paused=true)";
  }
}

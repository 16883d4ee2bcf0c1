package io.cacheplane.kubectl.controls;

import io.cacheplane.kubectl.ExitCodes;
import picocli.CommandLine.Command;

/** {@code kubectl cacheplane resume <kind>/<name>}. */
@Command(name = "resume", mixinStandardHelpOptions = true,
    header = "Resume a paused rollout (spec.paused=false).",
    description = {"Resumes a paused rollout: sets spec.paused to false with a JSON merge patch."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class ResumeCommand extends ControlCommand {

  @Override
  String patch(String token) {
    return ControlPatches.paused(false);
  }

  @Override
  String done(String token) {
    return "resumed (spec.paused=false)";
  }
}

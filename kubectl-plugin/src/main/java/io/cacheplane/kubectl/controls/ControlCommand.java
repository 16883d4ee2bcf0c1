package io.cacheplane.kubectl.controls;

import io.cacheplane.api.v1alpha1.PolicySpec;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.cacheplane.kubectl.cluster.ApiErrors;
import io.cacheplane.kubectl.cluster.Cluster;
import io.cacheplane.kubectl.cluster.PolicyRef;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command that sends one JSON merge patch to a policy ({@link ControlPatches}) and says what it asked for. The
 * patch fails with 404 when the policy does not exist (nothing is created) and with 403 without {@code patch} on the
 * policy's resource.
 */
abstract class ControlCommand implements Callable<Integer> {

  @ParentCommand
  KubectlCacheplane root;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<kind>/<name>", converter = PolicyRef.Converter.class,
      description = "The policy, e.g. cachepolicy/product-pages or rp/storefront.")
  PolicyRef ref;

  /** The merge patch to send. */
  abstract String patch(String token);

  /** What was done, for the user, e.g. {@code promote requested (cacheplane.io/promote=...)}. */
  abstract String done(String token);

  /**
   * A warning when the control will have no effect on the policy as it is now (e.g. promote without a rollout), or
   * {@code null}. The control is sent anyway: the status may be a moment behind.
   *
   * @param status the policy's status as returned by the patch, or {@code null}
   */
  String note(PolicyStatus status) {
    return null;
  }

  @Override
  public Integer call() throws CliException {
    String token = root.clock().instant().toString();
    String patch = patch(token);
    CustomResource<? extends PolicySpec, PolicyStatus> patched;
    try (Cluster cluster = root.connect()) {
      patched = cluster.call(new ApiErrors.Request("patch", ref.kind().resource(), cluster.namespace(),
          ref.toString()), () -> cluster.client().resources(ref.kind().type()).inNamespace(cluster.namespace())
              .withName(ref.name()).patch(PatchContext.of(PatchType.JSON_MERGE), patch));
    }
    spec.commandLine().getOut().println(ref + ": " + done(token));
    String note = note(patched == null ? null : patched.getStatus());
    if (note != null) {
      spec.commandLine().getErr().println("note: " + note);
    }
    return ExitCodes.OK;
  }
}

package io.cacheplane.kubectl.diff;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.EnvelopeException;
import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.cacheplane.kubectl.cluster.ApiErrors;
import io.cacheplane.kubectl.cluster.Cluster;
import io.cacheplane.kubectl.cluster.PolicyRef;
import io.cacheplane.kubectl.cluster.PolicySnapshot;
import io.cacheplane.kubectl.text.Text;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kubectl cacheplane diff <kind>/<name>}. */
@Command(name = "diff", mixinStandardHelpOptions = true,
    header = "Diff the canary's executable spec against the stable one.",
    description = {"Shows what the running rollout changes: a unified diff of the executable spec of the stable "
        + "revision (---) and of the canary (+++) as canonical YAML (keys sorted), read from the envelope "
        + "the operator published in the policy's ConfigMap (cachepolicy-<name> / routepolicy-<name>).",
        "Without a rollout it says so and prints no diff. Exit 0 either way."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN})
public final class DiffCommand implements Callable<Integer> {

  @ParentCommand
  KubectlCacheplane root;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<kind>/<name>", converter = PolicyRef.Converter.class,
      description = "The policy, e.g. cachepolicy/product-pages or rp/storefront.")
  PolicyRef ref;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    try (Cluster cluster = root.connect()) {
      PolicySnapshot policy = cluster.policy(ref);
      String name = ConfigMapNames.configMapName(ref.kind().kind(), ref.name());
      ConfigMap cm = cluster.call(new ApiErrors.Request("get", "configmaps", cluster.namespace(),
          "configmap/" + name), () -> cluster.client().configMaps().inNamespace(cluster.namespace()).withName(name)
              .get());
      if (cm == null) {
        throw new CliException(ExitCodes.NOT_FOUND, ref + " has no published ConfigMap " + name + " in namespace \""
            + cluster.namespace() + "\" yet (nothing was published: see kubectl cacheplane status " + ref + ")");
      }
      Envelope envelope;
      try {
        envelope = EnvelopeCodec.decode(cm.getData() == null ? null : cm.getData().get(Envelope.DATA_KEY));
      } catch (EnvelopeException e) {
        throw new CliException(ExitCodes.ERROR, "ConfigMap " + name + " holds no readable envelope: "
            + Text.safe(e.getMessage()));
      }
      if (policy.uid() != null && !policy.uid().equals(envelope.uid())) {
        throw new CliException(ExitCodes.ERROR, "ConfigMap " + name + " was not published for this " + ref
            + " (its envelope names uid " + Text.safe(envelope.uid(), 64) + ", the policy has uid " + policy.uid()
            + ")");
      }
      if (envelope.canary() == null) {
        out.println(ref + ": no rollout in progress; every agent is given the stable revision "
            + (envelope.stable() == null ? "-" : Text.safe(envelope.stable().revision(), 64)));
        return ExitCodes.OK;
      }
      List<String> diff;
      try {
        diff = SpecDiff.unified(envelope);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.ERROR, "ConfigMap " + name + ": " + Text.safe(e.getMessage()));
      }
      if (diff.isEmpty()) {
        out.println(ref + ": the canary " + Text.safe(envelope.canary().revision(), 64) + " and the stable spec print"
            + " the same");
      }
      diff.forEach(line -> out.println(Text.safe(line, 100_000)));
      return ExitCodes.OK;
    }
  }
}

package io.cacheplane.kubectl.agents;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.cacheplane.kubectl.cluster.ApiErrors;
import io.cacheplane.kubectl.cluster.Cluster;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code kubectl cacheplane agents [-l selector]}. */
@Command(name = "agents", mixinStandardHelpOptions = true,
    header = "List agents: revision per policy, Applied/Rejected, Live/Stale.",
    description = {"Lists the agents of the namespace from their Leases (cacheplane-agent-<pod>): per policy the "
        + "revision applied, Applied or Rejected with the reason, and whether the agent is Live or Stale "
        + "(its Lease not renewed within its leaseDurationSeconds, judged by this machine's clock)."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_FORBIDDEN})
public final class AgentsCommand implements Callable<Integer> {

  @ParentCommand
  KubectlCacheplane root;

  @Spec
  CommandSpec spec;

  @Option(names = {"-l", "--selector"}, paramLabel = "SELECTOR",
      description = "Only agents whose pod labels match this label selector (kubectl syntax, e.g. zone=a,tier!=edge).")
  String selector;

  @Override
  public Integer call() throws CliException {
    PrintWriter out = spec.commandLine().getOut();
    String labels = AgentLeases.AGENT_LABEL + (selector == null || selector.isBlank() ? "" : "," + selector);
    try (Cluster cluster = root.connect()) {
      List<Lease> leases = cluster.call(new ApiErrors.Request("list", "leases.coordination.k8s.io",
          cluster.namespace(), null), () -> cluster.client().resources(Lease.class).inNamespace(cluster.namespace())
              .withLabelSelector(labels).list().getItems());
      if (leases.isEmpty()) {
        spec.commandLine().getErr().println("No agents found in namespace " + cluster.namespace()
            + (selector == null ? "" : " matching " + io.cacheplane.kubectl.text.Text.safe(selector, 200)) + ".");
        return ExitCodes.OK;
      }
      AgentRows.lines(leases, root.clock().instant()).forEach(out::println);
      return ExitCodes.OK;
    }
  }
}

package io.cacheplane.kubectl;

import io.cacheplane.kubectl.agents.AgentsCommand;
import io.cacheplane.kubectl.cluster.Cluster;
import io.cacheplane.kubectl.controls.AbortCommand;
import io.cacheplane.kubectl.controls.PauseCommand;
import io.cacheplane.kubectl.controls.PromoteCommand;
import io.cacheplane.kubectl.controls.ResumeCommand;
import io.cacheplane.kubectl.controls.RetryCommand;
import io.cacheplane.kubectl.diff.DiffCommand;
import io.cacheplane.kubectl.status.StatusCommand;
import java.io.Console;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kubectl cacheplane}: a kubectl plugin for CachePolicy and RoutePolicy rollouts (modelled on Argo Rollouts'
 * {@code kubectl argo rollouts}). Global options work before or after the subcommand. Exit codes: {@link ExitCodes}.
 */
@Command(name = "kubectl cacheplane", mixinStandardHelpOptions = true,
    versionProvider = KubectlCacheplane.Version.class,
    description = {"Watch and steer Cacheplane rollouts of CachePolicies and RoutePolicies.",
        "Uses the kubeconfig, context and namespace kubectl uses (--kubeconfig, else KUBECONFIG, else "
            + "~/.kube/config; its current context unless --context; its namespace unless -n)."},
    subcommands = {StatusCommand.class, AgentsCommand.class, PromoteCommand.class, AbortCommand.class,
        RetryCommand.class, PauseCommand.class, ResumeCommand.class, DiffCommand.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_WATCH_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_ROLLOUT_FAILED, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN,
        ExitCodes.HELP_TIMEOUT},
    footerHeading = "%nKinds:%n", footer = {"cachepolicy (cachepolicies, cachepol, cp), routepolicy (routepolicies,"
        + " routepol, rp); name a policy as <kind>/<name>, e.g. cp/product-pages."})
public final class KubectlCacheplane implements Runnable {

  @Option(names = {"-n", "--namespace"}, scope = ScopeType.INHERIT, paramLabel = "NAMESPACE",
      description = "Namespace of the policies and agents (default: the context's namespace, else default).")
  String namespace;

  @Option(names = "--context", scope = ScopeType.INHERIT, paramLabel = "CONTEXT",
      description = "kubeconfig context to use (default: the current context).")
  String context;

  @Option(names = "--kubeconfig", scope = ScopeType.INHERIT, paramLabel = "FILE",
      description = "kubeconfig file (default: KUBECONFIG, else ~/.kube/config, else the pod's ServiceAccount).")
  String kubeconfig;

  @Spec
  CommandSpec spec;

  private final Clock clock;
  private final boolean terminal;

  /**
   * @param clock the time for bake countdowns, Lease liveness and control tokens
   * @param terminal whether stdout is a terminal ({@code status --watch} redraws in place; else it re-prints on change)
   */
  public KubectlCacheplane(Clock clock, boolean terminal) {
    this.clock = clock;
    this.terminal = terminal;
  }

  /** Entry point: runs the command line and exits with its code ({@link ExitCodes}). */
  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8),
        new PrintWriter(System.err, true, StandardCharsets.UTF_8), Clock.systemUTC(), stdoutIsTerminal()));
  }

  /**
   * Runs a command line (for {@link #main} and tests).
   *
   * @return the exit code ({@link ExitCodes})
   */
  public static int run(String[] args, PrintWriter out, PrintWriter err, Clock clock, boolean terminal) {
    CommandLine cli = new CommandLine(new KubectlCacheplane(clock, terminal))
        .setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setParameterExceptionHandler((e, args2) -> {
          CommandLine c = e.getCommandLine();
          c.getErr().println("error: " + e.getMessage());
          c.getErr().println("See '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
          c.getErr().flush();
          return ExitCodes.USAGE;
        })
        .setExecutionExceptionHandler((e, commandLine, parseResult) -> {
          if (e instanceof CliException c) {
            commandLine.getErr().println("error: " + c.getMessage());
            commandLine.getErr().flush();
            return c.exitCode();
          }
          throw e;
        });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** A client for the chosen kubeconfig, context and namespace (the caller closes it). */
  public Cluster connect() throws CliException {
    return Cluster.connect(kubeconfig, context, namespace);
  }

  public Clock clock() {
    return clock;
  }

  public boolean terminal() {
    return terminal;
  }

  /** {@code System.console()} is a terminal (on JDK 22+ a Console exists even when redirected: ask isTerminal). */
  static boolean stdoutIsTerminal() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // JDK < 22: a Console exists only for a terminal
    }
  }

  /** {@code --version}: the module version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = KubectlCacheplane.class.getPackage().getImplementationVersion();
      return new String[] {"kubectl-cacheplane " + (v == null ? "(development build)" : v)};
    }
  }
}

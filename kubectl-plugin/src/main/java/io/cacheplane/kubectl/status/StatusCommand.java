package io.cacheplane.kubectl.status;

import io.cacheplane.kubectl.CliException;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.cacheplane.kubectl.cluster.Cluster;
import io.cacheplane.kubectl.cluster.PolicyRef;
import io.cacheplane.kubectl.cluster.PolicySnapshot;
import io.cacheplane.kubectl.text.Text;
import java.io.PrintWriter;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.TypeConversionException;

/** {@code kubectl cacheplane status <kind>/<name> [--watch] [--timeout D] [--interval D]}. */
@Command(name = "status", mixinStandardHelpOptions = true,
    header = "Show a policy's rollout (optionally until it settles).",
    description = {"Shows phase, step i/n, canary weight, stable and canary revisions, the bake time left, how many"
        + " matched agents serve a revision, the Ready condition and the last history entry.",
        "With --watch, redraws until the rollout settles: exit 0 when Healthy, 3 when rolled back, "
            + "aborted, Degraded or Invalid. A status older than the newest spec (observedGeneration below "
            + "generation) never settles the watch."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {ExitCodes.HELP_WATCH_OK, ExitCodes.HELP_ERROR,
        ExitCodes.HELP_USAGE, ExitCodes.HELP_ROLLOUT_FAILED, ExitCodes.HELP_NOT_FOUND, ExitCodes.HELP_FORBIDDEN,
        ExitCodes.HELP_TIMEOUT})
public final class StatusCommand implements Callable<Integer> {

  /** Consecutive failed reads tolerated while watching (a blip of the API server) before giving up. */
  public static final int WATCH_ERRORS_TOLERATED = 5;

  @ParentCommand
  KubectlCacheplane root;

  @Spec
  CommandSpec spec;

  @Parameters(index = "0", paramLabel = "<kind>/<name>", converter = PolicyRef.Converter.class,
      description = "The policy, e.g. cachepolicy/product-pages or rp/storefront.")
  PolicyRef ref;

  @Option(names = {"-w", "--watch"}, description = "Redraw until the rollout is Healthy (exit 0) or failed (exit 3); "
      + "when stdout is not a terminal, print the status again each time it changes.")
  boolean watch;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "0s", converter = DurationConverter.class,
      description = "With --watch: give up after this long (e.g. 10m) with exit 6; 0s (default) waits forever.")
  Duration timeout;

  @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
      description = "With --watch: time between reads of the policy (default ${DEFAULT-VALUE}, at least 100ms).")
  Duration interval;

  @Override
  public Integer call() throws CliException, InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (interval.toMillis() < 100) {
      throw new CliException(ExitCodes.USAGE, "--interval must be at least 100ms, got " + Text.duration(interval));
    }
    try (Cluster cluster = root.connect()) {
      PolicySnapshot policy = cluster.policy(ref);
      if (!watch) {
        StatusView.lines(policy, root.clock().instant()).forEach(out::println);
        return ExitCodes.OK;
      }
      Instant deadline = timeout.isZero() ? null : root.clock().instant().plus(timeout);
      String printed = null;
      int failures = 0;
      while (true) {
        List<String> lines = StatusView.lines(policy, root.clock().instant());
        if (root.terminal()) {
          out.print("\033[H\033[2J");
          lines.forEach(out::println);
        } else if (!Objects.equals(printed, policy.resourceVersion())) {
          if (printed != null) {
            out.println();
          }
          lines.forEach(out::println);
        }
        printed = policy.resourceVersion();
        out.flush();
        RolloutOutcome outcome = RolloutOutcome.of(policy);
        if (outcome != RolloutOutcome.RUNNING) {
          out.println(outcome == RolloutOutcome.HEALTHY ? ref + " is Healthy"
              : ref + " rollout failed (" + policy.status().getPhase() + ")");
          return outcome.exitCode();
        }
        if (deadline != null && !root.clock().instant().isBefore(deadline)) {
          err.println("error: " + ref + " did not settle within " + Text.duration(timeout) + " (phase "
              + (policy.status() == null ? "-" : policy.status().getPhase()) + ")");
          return ExitCodes.TIMEOUT;
        }
        Thread.sleep(interval.toMillis());
        try {
          policy = cluster.policy(ref);
          failures = 0;
        } catch (CliException e) {
          if (e.exitCode() != ExitCodes.ERROR || ++failures >= WATCH_ERRORS_TOLERATED) {
            throw e;
          }
          err.println("warning: " + e.getMessage().lines().findFirst().orElse("") + " (retrying)");
        }
      }
    }
  }

  /** A Kubernetes duration ({@code 30s}, {@code 5m}, {@code 1h30m}); a malformed one is a usage error. */
  public static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = io.fabric8.kubernetes.api.model.Duration.parse(value).getDuration();
        if (d.isNegative()) {
          throw new TypeConversionException("a duration must not be negative: " + Text.safe(value, 40));
        }
        return d;
      } catch (ParseException | RuntimeException e) {
        if (e instanceof TypeConversionException t) {
          throw t;
        }
        throw new TypeConversionException("\"" + Text.safe(value, 40) + "\" is not a duration (e.g. 30s, 5m, 1h30m)");
      }
    }
  }
}

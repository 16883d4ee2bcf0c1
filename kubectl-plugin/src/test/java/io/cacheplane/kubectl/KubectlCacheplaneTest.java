package io.cacheplane.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The command line itself, in process: help, usage errors and configuration errors, before any API call. */
class KubectlCacheplaneTest {

  private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-06-01T12:00:00Z"), ZoneOffset.UTC);

  record Run(int exitCode, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KubectlCacheplane.run(args, new PrintWriter(out), new PrintWriter(err), CLOCK, false);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsEveryCommandAndTheExitCodes() {
    Run r = run("--help");
    assertThat(r.exitCode()).isZero();
    for (String command : List.of("status", "agents", "promote", "abort", "retry", "pause", "resume", "diff")) {
      assertThat(r.out()).containsPattern("(?m)^  " + command + " ");
    }
    assertThat(r.out()).contains("Exit codes:", "3   with --watch: rolled back, aborted, Degraded or Invalid",
        "4   not found", "5   forbidden by RBAC", "-n, --namespace=NAMESPACE", "--context=CONTEXT",
        "--kubeconfig=FILE");
  }

  @Test
  void eachCommandHasHelpWithItsExitCodes() {
    for (String command : List.of("status", "agents", "promote", "abort", "retry", "pause", "resume", "diff")) {
      Run r = run(command, "--help");
      assertThat(r.exitCode()).as(command).isZero();
      assertThat(r.out()).as(command).contains("Usage: kubectl cacheplane " + command, "Exit codes:",
          "0   ok", "2   usage error");
    }
    assertThat(run("status", "--help").out()).contains("--watch", "--timeout=DURATION", "6   with --watch");
    assertThat(run("promote", "--help").out()).contains("--full", "cacheplane.io/promote");
  }

  static Stream<Arguments> usageErrors() {
    return Stream.of(
        Arguments.of(List.of("status"), "Missing required parameter: '<kind>/<name>'"),
        Arguments.of(List.of("status", "pages"), "expected <kind>/<name>, e.g. cachepolicy/pages"),
        Arguments.of(List.of("promote", "svc/pages"), "unknown kind \"svc\""),
        Arguments.of(List.of("diff", "cp/Pages"), "\"Pages\" is not a valid CachePolicy name"),
        Arguments.of(List.of("status", "cp/a", "--timeout", "soon"), "\"soon\" is not a duration"),
        Arguments.of(List.of("status", "cp/a", "--interval", "10ms", "-w"), "--interval must be at least 100ms"),
        Arguments.of(List.of("frobnicate"), "Unmatched argument at index 0: 'frobnicate'"),
        Arguments.of(List.of("agents", "--bogus"), "Unknown option: '--bogus'"),
        Arguments.of(List.of("agents", "-n", "Shop_1"), "\"Shop_1\" is not a namespace name"),
        Arguments.of(List.of("agents", "-n", ""), "\"\" is not a namespace name"),
        Arguments.of(List.of("status", "cp/a", "-n", "a".repeat(64)), "is not a namespace name: at most 63"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("usageErrors")
  void usageErrorsExitTwoWithTheReason(List<String> args, String message) {
    Run r = run(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(r.err()).as(r.toString()).contains("error: ").contains(message);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aMissingKubeconfigOrContextIsAnErrorThatNamesIt(@TempDir Path dir) throws IOException {
    Run missing = run("agents", "--kubeconfig", dir.resolve("nope").toString());
    assertThat(missing.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(missing.err()).contains("error: the kubeconfig " + dir.resolve("nope") + " does not exist");

    Path kubeconfig = unreachable(dir);
    Run context = run("--context", "prod", "--kubeconfig", kubeconfig.toString(), "status", "cp/a");
    assertThat(context.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(context.err()).contains("error: context \"prod\" not found in the kubeconfig", "contexts: down");
  }

  @Test
  void anUnreachableServerIsAnErrorThatSaysWhere(@TempDir Path dir) throws IOException {
    Run r = run("status", "cp/a", "--kubeconfig", unreachable(dir).toString());
    assertThat(r.exitCode()).isEqualTo(ExitCodes.ERROR);
    assertThat(r.err()).startsWith("error: cannot reach the Kubernetes API server at https://127.0.0.1:1/: ");
  }

  private static Path unreachable(Path dir) throws IOException {
    Path file = dir.resolve("kubeconfig");
    Files.writeString(file, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: down
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: u
          user: {token: t}
        contexts:
        - name: down
          context: {cluster: down, user: u, namespace: ns1}
        current-context: down
        """);
    return file;
  }
}

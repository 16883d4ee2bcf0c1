package io.cacheplane.kubectl;

/**
 * The exit codes of {@code kubectl cacheplane} (also listed by {@code --help} and in {@code docs/kubectl-plugin.md}).
 * Scripts and pipelines depend on them: never renumber.
 */
public final class ExitCodes {

  /** The command did what was asked ({@code status --watch}: the rollout ended Healthy). */
  public static final int OK = 0;
  /** Any other error: the API server is unreachable, credentials were refused, the server answered an error. */
  public static final int ERROR = 1;
  /** Bad command line: unknown option or command, a malformed {@code <kind>/<name>}, a bad duration or selector. */
  public static final int USAGE = 2;
  /** {@code status --watch}: the rollout ended without success (rolled back, aborted, Degraded or Invalid). */
  public static final int ROLLOUT_FAILED = 3;
  /** The policy (or its published ConfigMap, or the CRD) does not exist. */
  public static final int NOT_FOUND = 4;
  /** The API server refused the request for lack of permission (HTTP 403); the message names verb and resource. */
  public static final int FORBIDDEN = 5;
  /** {@code status --watch --timeout}: the rollout had not settled when the timeout passed. */
  public static final int TIMEOUT = 6;

  // Lines of picocli's exitCodeList ("code:description"), shared by the commands' --help.
  public static final String HELP_OK = "0:ok";
  public static final String HELP_WATCH_OK = "0:ok (with --watch: the rollout ended Healthy)";
  public static final String HELP_ERROR = "1:error (API server unreachable, credentials refused, other API errors)";
  public static final String HELP_USAGE = "2:usage error (bad option or command, <kind>/<name>, duration, selector)";
  public static final String HELP_ROLLOUT_FAILED = "3:with --watch: rolled back, aborted, Degraded or Invalid";
  public static final String HELP_NOT_FOUND = "4:not found (the policy, its published ConfigMap, or the CRD)";
  public static final String HELP_FORBIDDEN = "5:forbidden by RBAC (the message names verb and resource)";
  public static final String HELP_TIMEOUT = "6:with --watch: --timeout passed before the rollout settled";

  private ExitCodes() {}
}

package io.cacheplane.e2e;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * One real Kubernetes 1.20.2 control plane (etcd, kube-apiserver, kube-controller-manager on loopback; no kubelet, so
 * pods stay Pending) per JVM, shared by every E2E test class. Started on first use with {@code scripts/k8s/start.sh
 * <dir>}, stopped with {@code scripts/k8s/stop.sh <dir> --clean} when the JUnit run ends (see
 * {@link ControlPlaneExtension}) or, failing that, from a JVM shutdown hook.
 *
 * <p>The CRDs of {@code crds/} are applied right after the start: the controller-manager rediscovers resource types
 * every 30 s, so garbage collection of objects owned by custom resources only works ~40 s after a CRD appears.
 *
 * <p>Tests must not depend on each other: each makes its own namespaces ({@link #createNamespace}) and releases.
 */
public final class LocalControlPlane implements AutoCloseable {

  /** Bound of {@code start.sh} (its own waits are bounded by CACHEPLANE_K8S_READY_TIMEOUT, 90 s each). */
  private static final Duration START_TIMEOUT = Duration.ofSeconds(240);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(150);
  /** Default bound of one kubectl/helm command. */
  public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(90);

  /** How long {@link #stopApiServer()} waits for the apiserver to exit after SIGKILL. */
  public static final Duration API_SERVER_STOP_GRACE = Duration.ofSeconds(10);
  /** Bound of {@link #startApiServer()}'s wait for {@code /readyz}. */
  public static final Duration API_SERVER_READY = Duration.ofSeconds(60);

  private static LocalControlPlane shared;
  private static RuntimeException startFailure;

  private final K8sTools tools;
  private final Path workDir;
  private final Path stateDir;
  private final Path kubeconfig;
  private final Map<String, String> env;
  private final KubernetesClient client;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread shutdownHook;
  /** The apiserver's command line while {@link #stopApiServer()} has it stopped; {@code null} when running. */
  private List<String> apiServerCommand;

  /**
   * The control plane of this JVM, started on first call. A failed start is remembered: later callers get the same
   * error at once instead of starting again.
   *
   * @throws IllegalStateException when binaries are missing (the message says to run {@code scripts/k8s/install.sh})
   *     or the start failed (the message holds start.sh's output and the logs' tails)
   */
  public static synchronized LocalControlPlane shared() {
    if (startFailure != null) {
      throw new IllegalStateException("the local control plane failed to start earlier in this JVM", startFailure);
    }
    if (shared == null || shared.closed.get()) {
      try {
        shared = start(K8sTools.locate());
      } catch (RuntimeException e) {
        startFailure = e;
        throw e;
      }
    }
    return shared;
  }

  /** Starts a new control plane (use {@link #shared()} in tests). */
  public static LocalControlPlane start(K8sTools tools) {
    tools.requireInstalled();
    Path workDir;
    try {
      workDir = Files.createTempDirectory("cacheplane-e2e-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new LocalControlPlane(tools, workDir);
  }

  private LocalControlPlane(K8sTools tools, Path workDir) {
    this.tools = tools;
    this.workDir = workDir;
    this.stateDir = workDir.resolve("k8s");
    Map<String, String> e = new HashMap<>();
    e.put("CACHEPLANE_CACHE_DIR", tools.cacheDir().toString());
    // Helm keeps its configuration, cache and plugins here, not in the user's home.
    e.put("HELM_CONFIG_HOME", workDir.resolve("helm/config").toString());
    e.put("HELM_CACHE_HOME", workDir.resolve("helm/cache").toString());
    e.put("HELM_DATA_HOME", workDir.resolve("helm/data").toString());
    e.put("KUBECACHEDIR", workDir.resolve("kube-cache").toString());
    // Registered before the start, so a half-started control plane is stopped too.
    this.shutdownHook = new Thread(this::stopQuietly, "cacheplane-e2e-control-plane-stop");
    Runtime.getRuntime().addShutdownHook(shutdownHook);

    long started = System.nanoTime();
    Cli.Result start = Cli.run(List.of("bash", tools.startScript().toString(), stateDir.toString()), tools.repoRoot(),
        e, null, START_TIMEOUT);
    if (!start.ok() || !start.lastLine().startsWith("KUBECONFIG=")) {
      String logs = diagnostics(40);
      stopQuietly();
      throw new IllegalStateException("scripts/k8s/start.sh failed: " + start + "\n" + logs);
    }
    this.kubeconfig = Path.of(start.lastLine().substring("KUBECONFIG=".length()));
    e.put("KUBECONFIG", kubeconfig.toString());
    this.env = Map.copyOf(e);
    try {
      Config config = Config.fromKubeconfig(Files.readString(kubeconfig, StandardCharsets.UTF_8));
      this.client = new KubernetesClientBuilder().withConfig(config).build();
    } catch (IOException ex) {
      stopQuietly();
      throw new UncheckedIOException(ex);
    }
    System.err.printf("[e2e] Kubernetes %s control plane up in %d ms (state %s)%n", K8sTools.K8S_VERSION,
        Duration.ofNanos(System.nanoTime() - started).toMillis(), stateDir);
    try {
      kubectl("apply", "-f", tools.repoRoot().resolve("crds").toString()).orThrow();
    } catch (RuntimeException ex) {
      String logs = diagnostics(40);
      stopQuietly();
      throw new IllegalStateException("cannot apply crds/ to the local control plane\n" + logs, ex);
    }
  }

  public K8sTools tools() {
    return tools;
  }

  /** A fabric8 client with the admin credentials (group {@code system:masters}). */
  public KubernetesClient client() {
    return client;
  }

  public Path kubeconfig() {
    return kubeconfig;
  }

  /** kubectl 1.20.2 with the admin kubeconfig, bounded by {@link #COMMAND_TIMEOUT}. */
  public Cli.Result kubectl(String... args) {
    return kubectlWithInput(null, args);
  }

  /** kubectl 1.20.2 reading {@code stdin} (e.g. {@code apply -f -}). */
  public Cli.Result kubectlWithInput(String stdin, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tools.kubectl().toString());
    cmd.add("--kubeconfig=" + kubeconfig);
    cmd.add("--request-timeout=60s");
    cmd.addAll(Arrays.asList(args));
    return Cli.run(cmd, tools.repoRoot(), env, stdin, COMMAND_TIMEOUT);
  }

  /** helm 4 with the admin kubeconfig and private Helm homes, bounded by {@link #COMMAND_TIMEOUT}. */
  public Cli.Result helm(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(tools.helm().toString());
    cmd.addAll(Arrays.asList(args));
    return Cli.run(cmd, tools.repoRoot(), env, null, COMMAND_TIMEOUT);
  }

  /** Creates a namespace named {@code <prefix>-<random>} and returns its name. */
  public String createNamespace(String prefix) {
    String name = (prefix + "-" + UUID.randomUUID().toString().substring(0, 8)).toLowerCase(Locale.ROOT);
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * Stops kube-apiserver alone, abruptly (SIGKILL), as a crash or a lost node would; etcd and the controller-manager
   * keep running, so the cluster's state survives. (A SIGTERM'd 1.20 apiserver drains its watches for some 20 s
   * before it exits: too slow for a test, and not the fault under test.) Its command line (read from {@code /proc}) is kept
   * for {@link #startApiServer()}, which must follow (in a {@code finally}: the control plane is shared by every E2E
   * class of the JVM). Idempotent: a stopped apiserver stays stopped.
   *
   * @throws IllegalStateException when the apiserver's pid file names no running kube-apiserver, or it does not exit
   */
  public synchronized void stopApiServer() {
    if (apiServerCommand != null) {
      return;
    }
    long pid = apiServerPid();
    ProcessHandle process = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .orElseThrow(() -> new IllegalStateException("kube-apiserver (pid " + pid + ") is not running"));
    List<String> command;
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      command = new ArrayList<>(Arrays.asList(new String(raw, StandardCharsets.UTF_8).split("\0")));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the command line of kube-apiserver (pid " + pid + ")", e);
    }
    if (command.isEmpty() || !command.get(0).endsWith("kube-apiserver")) {
      throw new IllegalStateException("pid " + pid + " is not kube-apiserver: " + command);
    }
    apiServerCommand = command;
    long started = System.nanoTime();
    process.destroyForcibly();
    try {
      process.onExit().get(API_SERVER_STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("kube-apiserver (pid " + pid + ") did not exit after SIGKILL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while stopping kube-apiserver", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("waiting for kube-apiserver to exit", e);
    }
    System.err.printf("[e2e] kube-apiserver (pid %d) stopped in %d ms%n", pid,
        Duration.ofNanos(System.nanoTime() - started).toMillis());
  }

  /**
   * Starts kube-apiserver again after {@link #stopApiServer()}, with the same command line (so the same port,
   * certificates and etcd), appending to its log and writing its pid file as {@code scripts/k8s/start.sh} does (so
   * {@code stop.sh} still stops it), and waits until {@code /readyz} answers, at most {@link #API_SERVER_READY}.
   * A no-op when the apiserver was not stopped.
   *
   * @return how long the start took until ready, in milliseconds (0 when nothing was started)
   * @throws IllegalStateException when it cannot be started or is not ready in time (the log tail is included)
   */
  public synchronized long startApiServer() {
    if (apiServerCommand == null) {
      return 0;
    }
    long started = System.nanoTime();
    Path log = stateDir.resolve("kube-apiserver.log");
    Process process;
    try {
      Files.writeString(log, "===== restarted by a test: " + String.join(" ", apiServerCommand) + "\n",
          StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      List<String> command = new ArrayList<>();
      command.add("setsid"); // its own session, as start.sh does: the JVM's signals do not reach it
      command.addAll(apiServerCommand);
      process = new ProcessBuilder(command)
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
          .redirectErrorStream(true)
          .start();
      // setsid execs in place (a child of the JVM is no process group leader), so this is the apiserver's pid.
      Files.writeString(stateDir.resolve("kube-apiserver.pid"), process.pid() + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start kube-apiserver again", e);
    }
    long deadline = System.nanoTime() + API_SERVER_READY.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("kube-apiserver exited at once (exit " + process.exitValue() + ")\n"
            + logTail("kube-apiserver", 30));
      }
      Cli.Result ready = kubectl("get", "--raw", "/readyz", "--request-timeout=2s");
      if (ready.ok()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("kube-apiserver not ready " + API_SERVER_READY.toSeconds()
            + " s after its restart: " + ready + "\n" + logTail("kube-apiserver", 30));
      }
      try {
        Thread.sleep(200); // a poll of an external process, not a test wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for kube-apiserver", e);
      }
    }
    apiServerCommand = null;
    long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
    System.err.printf("[e2e] kube-apiserver (pid %d) ready again after %d ms%n", process.pid(), ms);
    return ms;
  }

  /** Whether {@link #stopApiServer()} stopped the apiserver and it was not started again. */
  public synchronized boolean apiServerStopped() {
    return apiServerCommand != null;
  }

  private long apiServerPid() {
    Path pidFile = stateDir.resolve("kube-apiserver.pid");
    try {
      return Long.parseLong(Files.readString(pidFile, StandardCharsets.UTF_8).strip());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException("cannot read " + pidFile + ": " + e.getMessage(), e);
    }
  }

  /** The last {@code lines} lines of a component's log ({@code kube-apiserver}, {@code etcd}, ...). */
  public String logTail(String component, int lines) {
    return tail(stateDir.resolve(component + ".log"), lines);
  }

  /** Tails of the apiserver and controller-manager logs, for a failed test. */
  public String diagnostics(int lines) {
    return "----- last " + lines + " lines of " + stateDir.resolve("kube-apiserver.log") + "\n"
        + tail(stateDir.resolve("kube-apiserver.log"), lines)
        + "\n----- last " + (lines / 2) + " lines of " + stateDir.resolve("kube-controller-manager.log") + "\n"
        + tail(stateDir.resolve("kube-controller-manager.log"), lines / 2);
  }

  private static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no " + file + ")";
    }
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }

  /** Stops the control plane ({@code stop.sh --clean}) and deletes the work directory. Idempotent. */
  @Override
  public void close() {
    stopQuietly();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // called from the hook itself
    }
  }

  private void stopQuietly() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (client != null) {
      client.close();
    }
    Cli.Result stop = Cli.run(List.of("bash", tools.stopScript().toString(), stateDir.toString(), "--clean"),
        tools.repoRoot(), Map.of("CACHEPLANE_CACHE_DIR", tools.cacheDir().toString()), null, STOP_TIMEOUT);
    if (!stop.ok()) {
      System.err.println("[e2e] scripts/k8s/stop.sh failed: " + stop);
    }
    deleteRecursively(workDir);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[e2e] cannot delete " + dir + ": " + e);
    }
  }
}

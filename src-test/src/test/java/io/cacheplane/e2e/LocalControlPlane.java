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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
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

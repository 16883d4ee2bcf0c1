package io.cacheplane.local;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Local mode: Cacheplane on one machine with no cluster. Starts a {@link LocalCluster}, applies the manifests of
 * a folder, prints what the operator and the agents do, and re-applies a manifest when its file changes.
 */
@Command(name = "local-mode", mixinStandardHelpOptions = true,
    description = "Runs an embedded Kubernetes API, the Cacheplane operator, agents and a demo upstream, "
        + "and applies the manifests of a folder. Ctrl-C stops everything.")
public final class LocalMode implements Callable<Integer> {

  @Option(names = "--agents", defaultValue = "2", description = "Number of agents, 1-100 (default: ${DEFAULT-VALUE}).")
  int agentCount;

  @Option(names = "--examples", defaultValue = "examples",
      description = "Folder of CachePolicy/RoutePolicy manifests to apply and watch (default: ${DEFAULT-VALUE}).")
  Path examples;

  @Option(names = "--namespace", defaultValue = "default", description = "Namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(names = "--kubeconfig", defaultValue = ".local/kubeconfig",
      description = "Where to write a kubeconfig for the embedded API (default: ${DEFAULT-VALUE}).")
  Path kubeconfig;

  @Spec
  CommandSpec spec;

  /** DNS-1123 label, as Kubernetes requires of a namespace name (at most 63 characters). */
  private static final java.util.regex.Pattern DNS_1123_LABEL =
      java.util.regex.Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line of local mode: colours and styles only when the output is a terminal (picocli's
   * {@code -Dpicocli.ansi=true|false} still decides when given).
   */
  static CommandLine commandLine() {
    return new CommandLine(new LocalMode())
        .setColorScheme(CommandLine.Help.defaultColorScheme(terminal() ? CommandLine.Help.Ansi.AUTO
            : CommandLine.Help.Ansi.OFF));
  }

  /** Whether standard output is a terminal: a console exists and (Java 22+, where one always does) is a terminal. */
  private static boolean terminal() {
    if (System.getProperty("picocli.ansi") != null) {
      return true; // picocli's AUTO honours the user's explicit choice
    }
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true; // before Java 22, a console exists only on a terminal
    }
  }

  /** Refuses bad option values as a usage error (exit code 2), before anything starts. */
  private void validate() {
    if (agentCount < 1 || agentCount > 100) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "Invalid value for option '--agents': " + agentCount + " (give 1 to 100)");
    }
    if (namespace.length() > 63 || !DNS_1123_LABEL.matcher(namespace).matches()) {
      throw new CommandLine.ParameterException(spec.commandLine(), "Invalid value for option '--namespace': \""
          + printable(namespace) + "\" is not a DNS-1123 label (lower-case letters, digits and '-', starting and "
          + "ending with a letter or digit, at most 63 characters)");
    }
  }

  @Override
  public Integer call() throws Exception {
    validate();
    Path folder = locate(examples);
    if (!Files.isDirectory(folder)) {
      System.err.println("No such folder: " + printable(examples.toAbsolutePath().toString())
          + " (give one with --examples)");
      return 2;
    }
    say("starting an embedded Kubernetes API, the operator, " + agentCount + " agent(s) and a demo upstream");
    CountDownLatch stopped = new CountDownLatch(1);
    try (LocalCluster cluster = LocalCluster.start(agentCount, namespace);
         WatchService watcher = folder.getFileSystem().newWatchService()) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        say("stopping");
        stopped.countDown();
      }));
      say("Kubernetes API (fabric8 mock server) at " + cluster.apiUrl()
          + "; kubeconfig written to " + cluster.writeKubeconfig(kubeconfig).toAbsolutePath());
      cluster.upstream().ports().forEach((service, port) ->
          say("demo upstream: service " + service + " -> http://127.0.0.1:" + port));
      List<SharedIndexInformer<?>> informers = List.of(
          printStatus(cluster, CachePolicy.class, "cachepolicy"),
          printStatus(cluster, RoutePolicy.class, "routepolicy"));
      ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
      Map<String, String> lastAgentView = new HashMap<>();
      ticker.scheduleWithFixedDelay(() -> printAgents(cluster, lastAgentView), 0, 500, TimeUnit.MILLISECONDS);

      ManifestFolder manifests = new ManifestFolder(cluster.client(), cluster.namespace(), LocalMode::say);
      try (Stream<Path> files = Files.list(folder)) {
        for (Path file : files.filter(LocalMode::isManifest).sorted().toList()) {
          manifests.apply(file);
        }
      }
      folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      for (Agent agent : cluster.agents()) {
        say(agent.settings().agentId() + " serves http://127.0.0.1:" + agent.trafficPort()
            + "  — try: curl -i 'http://127.0.0.1:" + agent.trafficPort() + "/api/products?page=1'");
      }
      say("watching " + folder.toAbsolutePath() + " for changes; Ctrl-C stops");
      Thread fileWatch = new Thread(() -> watch(manifests, folder, watcher), "examples-watch");
      fileWatch.setDaemon(true);
      fileWatch.start();
      stopped.await();
      ticker.shutdownNow();
      informers.forEach(SharedIndexInformer::close);
    }
    return 0;
  }

  private static void watch(ManifestFolder manifests, Path folder, WatchService watcher) {
    try {
      while (true) {
        WatchKey key = watcher.take();
        for (WatchEvent<?> event : key.pollEvents()) {
          if (!(event.context() instanceof Path name)) {
            continue;
          }
          Path file = folder.resolve(name);
          if (!isManifest(file)) {
            continue;
          }
          if (event.kind() == StandardWatchEventKinds.ENTRY_DELETE) {
            manifests.remove(file);
          } else {
            manifests.apply(file);
          }
        }
        key.reset();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // stopping
    }
  }

  private static <T extends CustomResource<?, PolicyStatus>> SharedIndexInformer<T> printStatus(
      LocalCluster cluster, Class<T> type, String kind) {
    Map<String, String> last = new HashMap<>();
    return cluster.client().resources(type).inNamespace(cluster.namespace()).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(T policy) {
        onUpdate(null, policy);
      }

      @Override
      public void onUpdate(T old, T policy) {
        PolicyStatus s = policy.getStatus();
        if (s == null) {
          return;
        }
        Condition ready = s.getConditions() == null ? null : s.getConditions().stream()
            .filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
        String line = "phase=" + s.getPhase() + " stable=" + s.getStableRevision()
            + (s.getCanaryRevision() == null ? "" : " canary=" + s.getCanaryRevision() + " step="
                + s.getCurrentStepIndex() + " weight=" + s.getCanaryWeight() + "%")
            + (s.getAgents() == null ? "" : " agents(matched/stable/canary/rejected/stale)=" + s.getAgents().getMatched()
                + "/" + s.getAgents().getStable() + "/" + s.getAgents().getCanary() + "/" + s.getAgents().getRejected()
                + "/" + s.getAgents().getStale())
            + " sequence=" + s.getSequence()
            + (ready == null ? "" : " Ready=" + ready.getStatus() + " (" + ready.getReason() + ")"
            + (ready.getMessage() == null || "True".equals(ready.getStatus()) ? "" : ": " + ready.getMessage()));
        if (s.getConditions() != null) {
          line += s.getConditions().stream()
              .filter(c -> ("Degraded".equals(c.getType()) || "Paused".equals(c.getType())) && "True".equals(c.getStatus()))
              .map(c -> " " + c.getType() + "=" + c.getReason() + (c.getMessage() == null ? "" : ": " + c.getMessage()))
              .collect(Collectors.joining());
        }
        String name = kind + "/" + policy.getMetadata().getName();
        if (!line.equals(last.put(name, line))) {
          say(name + " " + line);
        }
      }

      @Override
      public void onDelete(T policy, boolean deletedFinalStateUnknown) {
        last.remove(kind + "/" + policy.getMetadata().getName());
      }
    });
  }

  private static void printAgents(LocalCluster cluster, Map<String, String> last) {
    for (Agent agent : cluster.agents()) {
      String view = agent.policies().stream()
          .map(p -> p.kind() + "/" + p.name() + "=" + p.state()
              + (p.appliedRevision() == null ? "" : "@" + p.appliedRevision())
              + (p.state() == PolicyState.State.Applied ? "" : " (" + p.reason() + ": " + p.message() + ")"))
          .sorted().collect(Collectors.joining(", "));
      String id = agent.settings().agentId();
      if (!view.equals(last.put(id, view))) {
        say(id + " serves: " + (view.isEmpty() ? "nothing yet" : view));
      }
    }
  }

  private static boolean isManifest(Path file) {
    String name = file.getFileName().toString();
    return (name.endsWith(".yaml") || name.endsWith(".yml")) && !name.startsWith(".");
  }

  /** Resolves a relative folder against the working directory, or its parent (Maven runs us in src-test/). */
  private static Path locate(Path folder) {
    if (folder.isAbsolute() || Files.isDirectory(folder)) {
      return folder.toAbsolutePath();
    }
    Path parent = Path.of("..").resolve(folder);
    return Files.isDirectory(parent) ? parent.toAbsolutePath().normalize() : folder.toAbsolutePath();
  }

  private static void say(String line) {
    System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "  " + printable(line));
  }

  /**
   * The text with control characters (C0, DEL, C1: NUL, ESC sequences, line breaks...) and bidirectional overrides
   * escaped as Java escapes (a backslash, {@code u} and four hex digits), so what a manifest holds cannot drive
   * the terminal or forge a log line.
   */
  static String printable(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> {
      boolean bidi = c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069 || c == 0x200E || c == 0x200F;
      if (Character.getType(c) == Character.CONTROL || bidi) {
        out.append(String.format("\\u%04X", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }
}

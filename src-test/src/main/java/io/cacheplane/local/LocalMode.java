package io.cacheplane.local;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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
import picocli.CommandLine.Option;

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

  private final Map<Path, List<HasMetadata>> applied = new HashMap<>();
  private final Map<Path, String> appliedContent = new HashMap<>();

  public static void main(String[] args) {
    System.exit(new CommandLine(new LocalMode()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Path folder = locate(examples);
    if (!Files.isDirectory(folder)) {
      System.err.println("No such folder: " + examples.toAbsolutePath() + " (give one with --examples)");
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

      try (Stream<Path> files = Files.list(folder)) {
        for (Path file : files.filter(LocalMode::isManifest).sorted().toList()) {
          apply(cluster, file);
        }
      }
      folder.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      for (Agent agent : cluster.agents()) {
        say(agent.settings().agentId() + " serves http://127.0.0.1:" + agent.trafficPort()
            + "  — try: curl -i 'http://127.0.0.1:" + agent.trafficPort() + "/api/products?page=1'");
      }
      say("watching " + folder.toAbsolutePath() + " for changes; Ctrl-C stops");
      Thread fileWatch = new Thread(() -> watch(cluster, folder, watcher), "examples-watch");
      fileWatch.setDaemon(true);
      fileWatch.start();
      stopped.await();
      ticker.shutdownNow();
      informers.forEach(SharedIndexInformer::close);
    }
    return 0;
  }

  private void watch(LocalCluster cluster, Path folder, WatchService watcher) {
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
            remove(cluster, file);
          } else {
            apply(cluster, file);
          }
        }
        key.reset();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // stopping
    }
  }

  /**
   * Applies one file. A blank or unreadable file (an editor half-way through a save) changes nothing: what the file
   * applied before stays until it parses again. A policy is deleted only when no watched file declares it any more.
   */
  private synchronized void apply(LocalCluster cluster, Path file) {
    String content;
    List<HasMetadata> policies;
    try {
      content = Files.readString(file);
      if (content.equals(appliedContent.get(file))) {
        return;
      }
      if (content.isBlank()) {
        say(file.getFileName() + " is empty; keeping what it applied before");
        return;
      }
      policies = Manifests.read(file);
    } catch (IOException | RuntimeException e) {
      say("cannot apply " + file.getFileName() + ": " + Manifests.describe(e) + " (nothing changed)");
      return;
    }
    appliedContent.put(file, content);
    for (HasMetadata policy : policies) {
      declaredElsewhere(file, policy).ifPresent(other -> say("warning: " + label(policy) + " is also declared in "
          + other.getFileName() + "; the file saved last wins"));
      try {
        String verb = Manifests.apply(cluster.client(), cluster.namespace(), policy);
        say(label(policy) + " " + verb + " (from " + file.getFileName() + ")");
      } catch (RuntimeException e) {
        say("cannot apply " + label(policy) + " from " + file.getFileName() + ": " + Manifests.describe(e));
      }
    }
    List<HasMetadata> before = applied.put(file, policies);
    for (HasMetadata gone : removedSince(before, policies)) {
      if (declaredElsewhere(file, gone).isEmpty()) {
        Manifests.delete(cluster.client(), cluster.namespace(), gone);
        say(label(gone) + " deleted (no longer in " + file.getFileName() + ")");
      }
    }
  }

  private synchronized void remove(LocalCluster cluster, Path file) {
    appliedContent.remove(file);
    List<HasMetadata> gone = applied.remove(file);
    for (HasMetadata policy : gone == null ? List.<HasMetadata>of() : gone) {
      java.util.Optional<Path> other = declaredElsewhere(file, policy);
      if (other.isEmpty()) {
        Manifests.delete(cluster.client(), cluster.namespace(), policy);
        say(label(policy) + " deleted (" + file.getFileName() + " was removed)");
      } else {
        say(label(policy) + " kept: still declared in " + other.get().getFileName());
      }
    }
  }

  private java.util.Optional<Path> declaredElsewhere(Path file, HasMetadata policy) {
    return applied.entrySet().stream()
        .filter(e -> !e.getKey().equals(file))
        .filter(e -> e.getValue().stream().anyMatch(p -> label(p).equals(label(policy))))
        .map(Map.Entry::getKey).findFirst();
  }

  private static List<HasMetadata> removedSince(List<HasMetadata> before, List<HasMetadata> now) {
    if (before == null) {
      return List.of();
    }
    List<String> keep = now.stream().map(LocalMode::label).toList();
    return before.stream().filter(p -> !keep.contains(label(p))).toList();
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

  private static String label(HasMetadata policy) {
    return policy.getKind().toLowerCase() + "/" + policy.getMetadata().getName();
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
    System.out.println(LocalTime.now().truncatedTo(ChronoUnit.MILLIS) + "  " + line);
  }
}

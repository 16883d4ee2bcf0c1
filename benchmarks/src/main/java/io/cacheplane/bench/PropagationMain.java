package io.cacheplane.bench;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.contract.Revisions;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Propagation of a policy change to N agents, next to its floor, in one JVM on the embedded API (fabric8 mock
 * server; a fresh one per measurement) or, with {@code --kubeconfig FILE}, on that API server (a fresh namespace per
 * measurement, deleted afterwards). Prints {@code RESULTS} and a Markdown table.
 * <ul>
 *   <li>ours: the operator and N agents (each with its own API client and a Pod object, default Lease timing); a
 *       CachePolicy with an all-at-once rollout ({@code steps: [setWeight: 100]}) is changed {@code --changes}
 *       times (a JSON merge patch of {@code spec.cache.maximumSize}); per change, the time from just before the
 *       API write until every agent's {@link Agent#policies()} shows the new revision;
 *   <li>floor: N bare fabric8 informers (each with its own client) on a labelled ConfigMap; per change (a JSON merge
 *       patch of its data), the time until every informer has seen the new value.
 * </ul>
 * Both are observed the same way: a thread polling every 0.2 ms.
 *
 * <p>Arguments: {@code --agents "10 50 100"}, {@code --changes 20}, {@code --kubeconfig FILE} (default: the mock),
 * {@code --label TEXT} (the API column of the table).
 */
public final class PropagationMain {

  static final String NS = "prop";
  static final long POLL_NANOS = 200_000L;
  static final long TIMEOUT_MS = 120_000L;

  private PropagationMain() {}

  public static void main(String[] args) {
    BenchSupport.quietLogs();
    try {
      run(args);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
    System.exit(0); // informer, client and server threads of closed components may linger
  }

  static void run(String[] args) throws Exception {
    String[] counts = BenchSupport.arg(args, "agents", "10 50 100").trim().split("[ ,]+");
    int changes = Integer.parseInt(BenchSupport.arg(args, "changes", "20"));
    String kubeconfig = BenchSupport.arg(args, "kubeconfig", null);
    StringBuilder out = new StringBuilder();
    String label = BenchSupport.arg(args, "label", kubeconfig == null ? "embedded (mock)" : "real");
    out.append("| API | agents | changes | ours p50 | ours p99 | floor p50 | floor p99 | **ratio p50** | **ratio p99** |"
        + " load (1 min) ours / floor |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (String c : counts) {
      int n = Integer.parseInt(c);
      String loadOurs = load();
      double[] ours = ours(n, changes, target(kubeconfig, "ours-" + n));
      String loadFloor = load();
      double[] floor = floor(n, changes, target(kubeconfig, "floor-" + n));
      double o50 = BenchSupport.percentile(ours, 50);
      double o99 = BenchSupport.percentile(ours, 99);
      double f50 = BenchSupport.percentile(floor, 50);
      double f99 = BenchSupport.percentile(floor, 99);
      out.append(String.format("| %s | %d | %d | %.1f ms | %.1f ms | %.1f ms | %.1f ms | **%.1f** | **%.1f** | %s / %s |%n",
          label, n, changes, o50, o99, f50, f99, o50 / f50, o99 / f99, loadOurs, loadFloor));
      System.err.printf("[propagation] %d agents: ours p50 %.1f ms p99 %.1f ms; floor p50 %.1f ms p99 %.1f ms%n",
          n, o50, o99, f50, f99);
    }
    System.out.println("RESULTS");
    System.out.print(out);
    System.out.flush();
  }

  /** A fresh mock server, or a fresh namespace on the API server of {@code kubeconfig} when given. */
  static ApiTarget target(String kubeconfig, String what) throws java.io.IOException {
    return kubeconfig == null ? ApiTarget.mock(NS) : ApiTarget.real(java.nio.file.Path.of(kubeconfig),
        "cacheplane-bench-" + what);
  }

  static String load() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }

  static double[] ours(int n, int changes, ApiTarget api) throws Exception {
    List<Agent> agents = new ArrayList<>();
    List<KubernetesClient> clients = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    String ns = api.namespace();
    try (api) {
      KubernetesClient admin = api.admin();
      KubernetesClient operatorClient = api.newClient();
      clients.add(operatorClient);
      CacheplaneOperator operator = CacheplaneOperator.start(operatorClient, OperatorSettings.defaults());
      try {
        for (int i = 0; i < n; i++) {
          String id = "agent-" + i;
          Pod pod = createPod(admin, ns, id);
          KubernetesClient client = api.newClient();
          clients.add(client);
          agents.add(Agent.start(client, vertx, AgentSettings.defaults(id, ns)
              .withPodLabels(ClusterMain.AGENT_LABELS)
              .withPodUid(pod.getMetadata().getUid())
              .withTrafficHost("127.0.0.1")
              .withResolver((s, p) -> {
                throw new IllegalArgumentException("no backends here");
              })));
        }
        CachePolicy policy = Serialization.unmarshal("""
            apiVersion: cacheplane.io/v1alpha1
            kind: CachePolicy
            metadata:
              name: prop
            spec:
              agentSelector:
                matchLabels:
                  app.kubernetes.io/name: cacheplane-agent
              cache:
                maximumSize: 10000
                expireAfterWrite: 5m
              rollout:
                steps:
                - setWeight: 100
            """, CachePolicy.class);
        policy.getMetadata().setNamespace(ns);
        admin.resource(policy).create();
        awaitAll(agents, revision(policy.getSpec()));
        double[] latencies = new double[changes];
        for (int c = 0; c < changes; c++) {
          long size = 10_001L + c;
          policy.getSpec().getCache().setMaximumSize(size);
          String expected = revision(policy.getSpec());
          long t0 = System.nanoTime();
          admin.resources(CachePolicy.class).inNamespace(ns).withName("prop").patch(
              PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"cache\":{\"maximumSize\":" + size + "}}}");
          long t1 = awaitAll(agents, expected);
          latencies[c] = (t1 - t0) / 1e6;
          api.afterChange();
        }
        return latencies;
      } finally {
        agents.forEach(Agent::close);
        operator.close();
        clients.forEach(KubernetesClient::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Creates the Pod object of an agent (never scheduled: no kubelet needed). A real API server refuses pods until
   * the namespace's default ServiceAccount exists, so creation is retried for up to a minute.
   */
  static Pod createPod(KubernetesClient admin, String ns, String name) throws InterruptedException {
    Pod pod = new PodBuilder()
        .withNewMetadata().withName(name).withLabels(ClusterMain.AGENT_LABELS).endMetadata()
        .withNewSpec().withAutomountServiceAccountToken(false)
        .addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
        .build();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (true) {
      try {
        return admin.pods().inNamespace(ns).resource(pod).create();
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(200);
      }
    }
  }

  static String revision(CachePolicySpec spec) {
    return Revisions.of(Revisions.executableSpec(spec));
  }

  private static long awaitAll(List<Agent> agents, String revision) {
    return BenchSupport.awaitNanos(() -> {
      for (Agent a : agents) {
        boolean serving = false;
        for (PolicyState s : a.policies()) {
          if (s.name().equals("prop") && revision.equals(s.appliedRevision())) {
            serving = true;
            break;
          }
        }
        if (!serving) {
          return false;
        }
      }
      return true;
    }, TIMEOUT_MS, POLL_NANOS, "every agent to serve revision " + revision);
  }

  static double[] floor(int n, int changes, ApiTarget api) throws Exception {
    List<KubernetesClient> clients = new ArrayList<>();
    List<SharedIndexInformer<ConfigMap>> informers = new ArrayList<>();
    AtomicIntegerArray seen = new AtomicIntegerArray(n);
    String ns = api.namespace();
    try (api) {
      KubernetesClient admin = api.admin();
      admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder()
          .withNewMetadata().withName("floor").addToLabels("bench", "floor").endMetadata()
          .addToData("v", "0").build()).create();
      for (int i = 0; i < n; i++) {
        seen.set(i, -1);
        KubernetesClient client = api.newClient();
        clients.add(client);
        int idx = i;
        informers.add(client.configMaps().inNamespace(ns).withLabel("bench", "floor").inform(
            new ResourceEventHandler<ConfigMap>() {
              @Override public void onAdd(ConfigMap cm) {
                seen.set(idx, Integer.parseInt(cm.getData().get("v")));
              }
              @Override public void onUpdate(ConfigMap old, ConfigMap cm) {
                seen.set(idx, Integer.parseInt(cm.getData().get("v")));
              }
              @Override public void onDelete(ConfigMap cm, boolean unknown) {
              }
            }));
      }
      awaitSeen(seen, 0);
      double[] latencies = new double[changes];
      for (int c = 0; c < changes; c++) {
        int v = c + 1;
        long t0 = System.nanoTime();
        admin.configMaps().inNamespace(ns).withName("floor").patch(PatchContext.of(PatchType.JSON_MERGE),
            "{\"data\":{\"v\":\"" + v + "\"}}");
        long t1 = awaitSeen(seen, v);
        latencies[c] = (t1 - t0) / 1e6;
        api.afterChange();
      }
      return latencies;
    } finally {
      informers.forEach(SharedIndexInformer::close);
      clients.forEach(KubernetesClient::close);
    }
  }

  private static long awaitSeen(AtomicIntegerArray seen, int value) {
    return BenchSupport.awaitNanos(() -> {
      for (int i = 0; i < seen.length(); i++) {
        if (seen.get(i) < value) {
          return false;
        }
      }
      return true;
    }, TIMEOUT_MS, POLL_NANOS, "every informer to see value " + value);
  }
}

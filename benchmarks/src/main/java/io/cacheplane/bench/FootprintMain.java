package io.cacheplane.bench;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Footprint of the control plane and of an in-process agent, in one fresh JVM on the embedded API. Prints
 * {@code RESULTS} and Markdown table rows ({@code | what | start-to-ready | memory / writes |}):
 * <ol>
 *   <li>operator start-to-ready: {@link CacheplaneOperator#start} (returns when its informers have synced) until
 *       {@link CacheplaneOperator#isHealthy()}, the first operator in this JVM (classes not loaded yet);
 *   <li>agent start-to-ready in process: {@link Agent#start} until ready, synced and one CachePolicy applied;
 *   <li>the operator with {@code --policies} CachePolicies created before it starts: time to the first full
 *       reconcile (every policy has its ConfigMap and a status for its generation), the writes that took, then the
 *       writes at steady state over {@code --window} seconds after {@code --settle} seconds (expected: 0), and the
 *       JVM's RSS.
 * </ol>
 */
public final class FootprintMain {

  static final String NS = "foot";

  private FootprintMain() {}

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
    int policies = Integer.parseInt(BenchSupport.arg(args, "policies", "1000"));
    int settle = Integer.parseInt(BenchSupport.arg(args, "settle", "10"));
    int window = Integer.parseInt(BenchSupport.arg(args, "window", "60"));
    StringBuilder rows = new StringBuilder();

    try (MockApi api = new MockApi(NS)) {
      KubernetesClient admin = api.admin();
      KubernetesClient operatorClient = api.newClient();
      long t0 = System.nanoTime();
      CacheplaneOperator operator = CacheplaneOperator.start(operatorClient, OperatorSettings.defaults());
      long t1 = BenchSupport.awaitNanos(operator::isHealthy, 60_000, 100_000L, "the operator to be healthy");
      rows.append(String.format("| operator in process (first in a fresh JVM, embedded API already up) |"
          + " %.0f ms (`CacheplaneOperator.start` until healthy) | - |%n", (t1 - t0) / 1e6));

      admin.resource(policy("one")).create();
      BenchSupport.awaitNanos(() -> published(admin), 60_000, 10_000_000L, "the policy to be published");
      Pod pod = admin.pods().inNamespace(NS).resource(new PodBuilder()
          .withNewMetadata().withName("agent-0").withLabels(ClusterMain.AGENT_LABELS).endMetadata()
          .withNewSpec().addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
          .build()).create();
      KubernetesClient agentClient = api.newClient();
      Vertx vertx = Vertx.vertx();
      long a0 = System.nanoTime();
      Agent agent = Agent.start(agentClient, vertx, AgentSettings.defaults("agent-0", NS)
          .withPodLabels(ClusterMain.AGENT_LABELS).withPodUid(pod.getMetadata().getUid())
          .withTrafficHost("127.0.0.1").withResolver((s, p) -> {
            throw new IllegalArgumentException("no backends here");
          }));
      long a1 = BenchSupport.awaitNanos(() -> agent.ready() && agent.synced() && agent.policies().size() == 1
          && agent.policies().get(0).state() == PolicyState.State.Applied, 60_000, 100_000L, "the agent");
      rows.append(String.format("| agent in process (second component in the JVM) | %.0f ms (`Agent.start` until"
          + " ready with 1 policy applied) | - |%n", (a1 - a0) / 1e6));
      agent.close();
      operator.close();
      agentClient.close();
      operatorClient.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    try (MockApi api = new MockApi(NS)) {
      KubernetesClient admin = api.admin();
      for (int i = 0; i < policies; i++) {
        admin.resource(policy(String.format("p-%04d", i))).create();
      }
      api.drainRecorded();
      long before = api.totalWrites();
      Map<String, Long> r0 = api.writes();
      KubernetesClient operatorClient = api.newClient();
      long t0 = System.nanoTime();
      CacheplaneOperator operator = CacheplaneOperator.start(operatorClient, OperatorSettings.defaults());
      long t1 = BenchSupport.awaitNanos(() -> reconciled(admin, policies), 600_000, 200_000_000L,
          "a full reconcile of " + policies + " policies");
      long reconcileWrites = api.totalWrites() - before;
      String reconcileWhich = diff(r0, api.writes());
      System.err.printf("[footprint] %d policies reconciled in %.1f s with %d writes%n", policies, (t1 - t0) / 1e9,
          reconcileWrites);
      Thread.sleep(settle * 1000L);
      api.drainRecorded();
      Map<String, Long> w0 = api.writes();
      long s0 = api.totalWrites();
      Thread.sleep(window * 1000L);
      long steady = api.totalWrites() - s0;
      String which = diff(w0, api.writes());
      rows.append(String.format("| operator with %d CachePolicies (created before it starts; no agents) |"
              + " first full reconcile %.1f s (%d writes%s) | steady state: **%.1f writes/min** over %d s%s"
              + " (after %d s settling); JVM RSS %d MiB (embedded API and its %d policies + %d ConfigMaps"
              + " included) |%n",
          policies, (t1 - t0) / 1e9, reconcileWrites, reconcileWhich.isEmpty() ? "" : ": " + reconcileWhich, steady * 60.0 / window, window, which.isEmpty() ? "" : " (" + which + ")", settle,
          BenchSupport.selfRssKib() / 1024, policies, policies));
      operator.close();
      operatorClient.close();
    }
    System.out.println("RESULTS");
    System.out.print(rows);
    System.out.flush();
  }

  /** "METHOD resource: n, ..." for the counters that grew. */
  static String diff(Map<String, Long> before, Map<String, Long> after) {
    StringBuilder out = new StringBuilder();
    after.forEach((k, v) -> {
      long d = v - before.getOrDefault(k, 0L);
      if (d > 0) {
        out.append(out.length() == 0 ? "" : ", ").append(k).append(" ").append(d);
      }
    });
    return out.toString();
  }

  static CachePolicy policy(String name) {
    CachePolicy p = Serialization.unmarshal("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: %s
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          cache:
            maximumSize: 10000
            expireAfterWrite: 5m
          key:
            queryParameters: [page]
          rollout:
            steps:
            - setWeight: 100
        """.formatted(name), CachePolicy.class);
    p.getMetadata().setNamespace(NS);
    return p;
  }

  private static boolean published(KubernetesClient admin) {
    return admin.resources(CachePolicy.class).inNamespace(NS).list().getItems().stream()
        .allMatch(p -> p.getStatus() != null && p.getStatus().getStableRevision() != null);
  }

  /** Every policy has a status for its generation and a ConfigMap. */
  private static boolean reconciled(KubernetesClient admin, int expected) {
    List<CachePolicy> items = admin.resources(CachePolicy.class).inNamespace(NS).list().getItems();
    long done = items.stream().filter(p -> {
      PolicyStatus s = p.getStatus();
      return s != null && Objects.equals(s.getObservedGeneration(), p.getMetadata().getGeneration());
    }).count();
    if (done < expected) {
      return false;
    }
    List<ConfigMap> cms = admin.configMaps().inNamespace(NS).withLabel("cacheplane.io/kind", "CachePolicy").list()
        .getItems();
    return cms.size() >= expected;
  }
}

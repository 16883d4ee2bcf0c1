package io.cacheplane.bench;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.AgentSettings;
import io.cacheplane.agent.BackendResolver;
import io.cacheplane.agent.Endpoint;
import io.cacheplane.agent.PolicyState;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;

/**
 * A standalone agent process for the data-path and footprint benchmarks: {@link Agent#start} against the API of
 * {@code --api}, with backend {@code upstream} resolved to {@code 127.0.0.1:--upstream-port}. Prints
 * {@code READY port=<traffic port> startMs=<Agent.start until ready> uptimeMs=<JVM start until ready> rssKib=<VmRSS>}
 * once the agent is ready and serves {@code --expect} policies; runs until killed.
 *
 * <p>Ready means {@link Agent#ready()}, {@link Agent#synced()} and every expected policy {@code Applied}.
 *
 * <p>Arguments: {@code --api URL} (required), {@code --upstream-port N} (required), {@code --port N} (default 0),
 * {@code --namespace NS} (default {@code bench}), {@code --pod NAME} (default {@code bench-agent}),
 * {@code --expect N} (default 2).
 */
public final class AgentMain {

  private AgentMain() {}

  public static void main(String[] args) throws Exception {
    BenchSupport.quietLogs();
    String api = BenchSupport.arg(args, "api", null);
    String upstreamPort = BenchSupport.arg(args, "upstream-port", null);
    if (api == null || upstreamPort == null) {
      throw new IllegalArgumentException("--api URL and --upstream-port N are required");
    }
    int port = Integer.parseInt(BenchSupport.arg(args, "port", "0"));
    String ns = BenchSupport.arg(args, "namespace", "bench");
    String podName = BenchSupport.arg(args, "pod", "bench-agent");
    int expect = Integer.parseInt(BenchSupport.arg(args, "expect", "2"));

    Config config = new ConfigBuilder(Config.empty()).withMasterUrl(api).withNamespace(ns).build();
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    Pod pod = client.pods().inNamespace(ns).withName(podName).get();
    Vertx vertx = Vertx.vertx();
    BackendResolver resolver = BackendResolver.mapped(
        Map.of("upstream", Endpoint.http("127.0.0.1", Integer.parseInt(upstreamPort))),
        (service, p) -> {
          throw new IllegalArgumentException("unknown service " + service);
        });
    long t0 = System.nanoTime();
    Agent agent = Agent.start(client, vertx, AgentSettings.defaults(podName, ns)
        .withPodLabels(ClusterMain.AGENT_LABELS)
        .withPodUid(pod == null ? null : pod.getMetadata().getUid())
        .withTrafficHost("127.0.0.1")
        .withTrafficPort(port)
        .withResolver(resolver));
    long ready = BenchSupport.awaitNanos(() -> {
      List<PolicyState> states = agent.policies();
      return agent.ready() && agent.synced() && states.size() >= expect
          && states.stream().allMatch(s -> s.state() == PolicyState.State.Applied);
    }, 120_000, 100_000L, "the agent to apply " + expect + " policies");
    long uptime = BenchSupport.jvmUptimeMs();
    System.out.println("READY port=" + agent.trafficPort() + " startMs=" + (ready - t0) / 1_000_000.0
        + " uptimeMs=" + uptime + " rssKib=" + BenchSupport.selfRssKib());
    System.out.flush();
    Thread.currentThread().join();
  }
}

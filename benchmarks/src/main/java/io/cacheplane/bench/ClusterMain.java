package io.cacheplane.bench;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.nio.file.Path;
import java.util.Map;

/**
 * The control plane of the data-path benchmark, in its own process so that the agent's process holds only the
 * agent: the embedded Kubernetes API ({@link MockApi}), the operator, a Pod object for the agent (as a cluster would
 * have), and the policies of {@code --policies} applied through the API. Prints
 * {@code READY api=<url> cache=<revision> route=<revision>} once the operator has published both; runs until
 * killed.
 *
 * <p>Arguments: {@code --policies FILE} (default {@code bench/policies.yaml}), {@code --namespace NS} (default
 * {@code bench}), {@code --agent-pod NAME} (default {@code bench-agent}).
 */
public final class ClusterMain {

  /** The labels the bench policies select (as the chart's agents carry). */
  static final Map<String, String> AGENT_LABELS = Map.of("app.kubernetes.io/name", "cacheplane-agent");

  private ClusterMain() {}

  public static void main(String[] args) throws Exception {
    BenchSupport.quietLogs();
    Path policies = Path.of(BenchSupport.arg(args, "policies", "bench/policies.yaml"));
    String ns = BenchSupport.arg(args, "namespace", "bench");
    String pod = BenchSupport.arg(args, "agent-pod", "bench-agent");
    MockApi api = new MockApi(ns);
    KubernetesClient operatorClient = api.newClient();
    CacheplaneOperator.start(operatorClient, OperatorSettings.defaults());
    KubernetesClient admin = api.admin();
    admin.pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(pod).withLabels(AGENT_LABELS).endMetadata()
        .withNewSpec().addNewContainer().withName("agent").withImage("cacheplane/agent").endContainer().endSpec()
        .build()).createOr(NonDeletingOperation::update);
    for (HasMetadata p : BenchSupport.readPolicies(policies)) {
      p.getMetadata().setNamespace(ns);
      admin.resource(p).create();
    }
    BenchSupport.awaitNanos(() -> published(admin, ns), 120_000, 20_000_000L, "the operator to publish the policies");
    System.out.println("READY api=" + api.url()
        + " cache=" + admin.resources(CachePolicy.class).inNamespace(ns).withName("bench").get().getStatus()
            .getStableRevision()
        + " route=" + admin.resources(RoutePolicy.class).inNamespace(ns).withName("bench").get().getStatus()
            .getStableRevision());
    System.out.flush();
    while (true) {
      Thread.sleep(10_000);
      api.drainRecorded();
    }
  }

  private static boolean published(KubernetesClient admin, String ns) {
    return admin.resources(CachePolicy.class).inNamespace(ns).list().getItems().stream()
        .allMatch(p -> hasStable(p.getStatus()))
        && admin.resources(RoutePolicy.class).inNamespace(ns).list().getItems().stream()
        .allMatch(p -> hasStable(p.getStatus()));
  }

  private static boolean hasStable(PolicyStatus s) {
    return s != null && s.getStableRevision() != null;
  }
}

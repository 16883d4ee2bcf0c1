package io.cacheplane.operator.it;

import static io.cacheplane.operator.it.Cluster.condition;
import static io.cacheplane.operator.it.Cluster.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.cacheplane.operator.rollout.Strategy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * 1,000 CachePolicies, one of them invalid, all at once (the operator's default strategy is all-at-once) and no agent:
 * the 999 valid ones are published as stable (their ConfigMaps carry their revision; {@code NoMatchingAgents}, as no
 * agent runs), and the invalid one is {@code Invalid} with a message naming the field and has no ConfigMap. One bad
 * policy never blocks the others.
 */
@EnableKubernetesMockClient(crud = true)
class ThousandPoliciesIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final String NS = "scale";
  private static final int POLICIES = 1000;
  private static final int BAD = 500;

  private static String name(int i) {
    return "policy-" + i;
  }

  @Test
  void nineHundredNinetyNinePublishAndTheInvalidOneNamesItsField() {
    Cluster.registerCrds(client);
    for (int i = 0; i < POLICIES; i++) {
      client.resource(Fixtures.cachePolicy(NS, name(i), i == BAD ? 0 : 100 + i)).create();
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long started = System.nanoTime();
    try (CacheplaneOperator operator = CacheplaneOperator.start(client, OperatorSettings.defaults()
        .withNamespaces(Set.of(NS)).withMeterRegistry(registry).withDefaultStrategy(Strategy.allAtOnce()))) {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).until(() -> client
          .resources(CachePolicy.class).inNamespace(NS).list().getItems().stream()
          .filter(p -> p.getStatus() != null && p.getStatus().getPhase() != null).count() == POLICIES);
      System.out.printf("scale: %d policies reconciled %d ms after the operator started%n", POLICIES,
          Duration.ofNanos(System.nanoTime() - started).toMillis());

      Map<String, CachePolicy> policies = client.resources(CachePolicy.class).inNamespace(NS).list().getItems()
          .stream().collect(Collectors.toMap(p -> p.getMetadata().getName(), Function.identity()));
      Map<String, ConfigMap> configMaps = client.configMaps().inNamespace(NS).list().getItems().stream()
          .collect(Collectors.toMap(cm -> cm.getMetadata().getName(), Function.identity()));

      CachePolicy bad = policies.get(name(BAD));
      assertThat(bad.getStatus().getPhase()).isEqualTo(PolicyPhase.Invalid);
      assertThat(condition(bad, "Ready").getReason()).isEqualTo("InvalidSpec");
      assertThat(condition(bad, "Ready").getMessage()).contains("spec.cache.maximumSize: must be between 1");
      assertThat(configMaps).doesNotContainKey(ConfigMapNames.configMapName("CachePolicy", name(BAD)));

      List<CachePolicy> good = policies.values().stream().filter(p -> !name(BAD).equals(p.getMetadata().getName()))
          .toList();
      assertThat(good).hasSize(POLICIES - 1).allSatisfy(p -> {
        assertThat(Cluster.isPublishedToNoAgents(p)).as("%s published", p.getMetadata().getName()).isTrue();
        ConfigMap cm = configMaps.get(ConfigMapNames.configMapName("CachePolicy", p.getMetadata().getName()));
        assertThat(cm).as("ConfigMap of %s", p.getMetadata().getName()).isNotNull();
        Envelope e = Cluster.envelope(cm);
        assertThat(e.stable().revision()).isEqualTo(p.getStatus().getStableRevision());
        assertThat(e.canary()).isNull();
      });
      assertThat(configMaps).hasSize(POLICIES - 1);
      assertThat(count(registry, "invalid.specs")).isEqualTo(1.0);
      assertThat(count(registry, "publishes")).isEqualTo(POLICIES - 1.0);
    }
    Cluster.awaitResponsive(client);
  }
}

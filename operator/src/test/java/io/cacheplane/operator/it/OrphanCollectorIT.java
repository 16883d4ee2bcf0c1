package io.cacheplane.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.operator.CacheplaneOperator;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.OperatorSettings;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The start-up sweep of the orphan collector: policies deleted while no operator ran. */
@EnableKubernetesMockClient(crud = true)
class OrphanCollectorIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static ConfigMap managed(String name, String kind, String policy, String uid) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("gc").withName(name)
        .withLabels(ConfigMapNames.labels(kind, policy, uid))
        .addNewOwnerReference().withApiVersion("cacheplane.io/v1alpha1").withKind(kind).withName(policy).withUid(uid)
        .withController(true).endOwnerReference()
        .endMetadata().addToData("envelope.yaml", "sequence: 1\n").build();
  }

  @Test
  void startUpSweepDeletesConfigMapsOfPoliciesThatAreGoneAndKeepsTheOthers() throws Exception {
    Cluster.registerCrds(client);
    CachePolicy live = client.resource(Fixtures.cachePolicy("gc", "live", 10)).create();
    client.resource(managed("cachepolicy-gone", "CachePolicy", "gone", "uid-gone")).create();
    client.resource(managed("routepolicy-gone", "RoutePolicy", "gone", "uid-gone-2")).create();
    client.resource(managed("cachepolicy-live-old-uid", "CachePolicy", "live", "uid-of-an-older-live")).create();
    ConfigMap unmanaged = client.resource(new ConfigMapBuilder().withNewMetadata().withNamespace("gc")
        .withName("someone-elses").endMetadata().build()).create();

    try (CacheplaneOperator operator = CacheplaneOperator.start(client,
        OperatorSettings.defaults().withNamespaces(Set.of("gc")))) {
      operator.orphanCollectorSynced().get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() ->
          client.configMaps().inNamespace("gc").withName("cachepolicy-gone").get() == null
              && client.configMaps().inNamespace("gc").withName("routepolicy-gone").get() == null
              && client.configMaps().inNamespace("gc").withName("cachepolicy-live-old-uid").get() == null);
      await().atMost(Duration.ofSeconds(10)).until(() -> Cluster.configMapOf(client, live) != null);
    }
    assertThat(client.configMaps().inNamespace("gc").withName(unmanaged.getMetadata().getName()).get()).isNotNull();
    assertThat(Cluster.configMapOf(client, live).getMetadata().getLabels())
        .containsEntry("cacheplane.io/policy-uid", live.getMetadata().getUid());
  }
}

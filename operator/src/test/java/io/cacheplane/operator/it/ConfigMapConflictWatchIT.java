package io.cacheplane.operator.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.operator.Fixtures;
import io.cacheplane.operator.reconcile.ConfigMapConflictWatch;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.processing.event.Event;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The watch on a ConfigMap that blocks a policy: which changes reconcile the policy, and that it is let go. */
@EnableKubernetesMockClient(crud = true)
class ConfigMapConflictWatchIT {

  static KubernetesMockServer server;
  static KubernetesClient client;

  private static final ResourceID POLICY = new ResourceID("x", "w");
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final List<Event> events = new CopyOnWriteArrayList<>();
  private ConfigMapConflictWatch<CachePolicy> watch;

  @BeforeEach
  void start() {
    watch = new ConfigMapConflictWatch<>(client);
    watch.setEventHandler(events::add);
    watch.start();
  }

  @AfterEach
  void stop() {
    watch.stop();
    Cluster.awaitResponsive(client);
    client.configMaps().inNamespace("w").delete();
  }

  private ConfigMap createUsers() {
    return client.configMaps().inNamespace("w").resource(new ConfigMapBuilder().withNewMetadata()
        .withNamespace("w").withName("cachepolicy-x").endMetadata().addToData("k", "v").build()).create();
  }

  private void editUsers(String value) {
    client.configMaps().inNamespace("w").withName("cachepolicy-x")
        .edit(cm -> new ConfigMapBuilder(cm).addToData("k", value).build());
  }

  @Test
  void theVersionTheReconcileSawIsNoChangeButEditsAndDeletionAre() throws Exception {
    ConfigMap users = createUsers();

    watch.watch(POLICY, "cachepolicy-x", users.getMetadata().getResourceVersion());
    watch.watch(POLICY, "cachepolicy-x", users.getMetadata().getResourceVersion()); // idempotent
    await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() ->
        assertThat(events).as("the informer's initial list of the version already seen").isEmpty());
    assertThat(watch.watched()).containsExactly(POLICY);

    editUsers("v2");
    await().atMost(WAIT).until(() -> events.size() == 1);
    client.configMaps().inNamespace("w").withName("cachepolicy-x").delete();
    await().atMost(WAIT).until(() -> events.size() == 2);
    assertThat(events).allSatisfy(e -> assertThat(e.getRelatedCustomResourceID()).isEqualTo(POLICY));
  }

  @Test
  void aConfigMapDeletedBeforeTheWatchStartedStillReconciles() {
    watch.watch(POLICY, "cachepolicy-x", "123");
    await().atMost(WAIT).until(() -> events.size() == 1);
  }

  @Test
  void unwatchAndPolicyDeletionAndStopLetTheConfigMapGo() throws Exception {
    ConfigMap users = createUsers();
    watch.watch(POLICY, "cachepolicy-x", users.getMetadata().getResourceVersion());
    watch.unwatch(POLICY);
    assertThat(watch.watched()).isEmpty();
    Cluster.awaitResponsive(client); // the mock blocks its event loop on a closed watch (see Cluster)
    editUsers("v2");

    watch.watch(POLICY, "cachepolicy-x", "0"); // a version not seen: the initial list is a change
    await().atMost(WAIT).until(() -> events.size() == 1);
    CachePolicy deleted = Fixtures.cachePolicy("w", "x", 10);
    watch.onResourceDeleted(deleted);
    assertThat(watch.watched()).isEmpty();

    ResourceID y = new ResourceID("y", "w");
    watch.watch(y, "cachepolicy-x", "0");
    watch.stop();
    assertThat(watch.watched()).isEmpty();
    Cluster.awaitResponsive(client);
    // y's informer may have listed the ConfigMap (a version y never saw) before stop(): that event is legitimate.
    // Nothing may come after the stop.
    int afterStop = events.size();
    assertThat(events.subList(1, afterStop)).allSatisfy(e -> assertThat(e.getRelatedCustomResourceID()).isEqualTo(y));
    editUsers("v3");
    await().during(Duration.ofMillis(500)).atMost(WAIT).untilAsserted(() -> assertThat(events).hasSize(afterStop));
  }
}

package io.cacheplane.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A spec edit through {@link Manifests#apply} is never lost to the operator's status writes: in local mode (operator
 * and agents in process, the embedded API), the spec of a CachePolicy is edited {@value #EDITS} times, each time right after the
 * operator wrote status for the previous edit, and every read afterwards returns the last edit. On a failure the
 * writes the embedded API received for the policy (method, path, body) are in the message.
 */
class SpecEditRaceIT {

  private static final String NS = "race";
  private static final int EDITS = 15;
  private static LocalCluster cluster;

  @BeforeAll
  static void start() {
    cluster = LocalCluster.start(2, NS);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void everySpecEditSurvivesTheOperatorsStatusWrites() throws InterruptedException {
    KubernetesClient client = cluster.client();
    assertThat(Manifests.apply(client, NS, policy(100))).isEqualTo("created");
    awaitReady(1L);
    for (int i = 1; i <= EDITS; i++) {
      long size = 100 + i;
      String before = statusVersion(client);
      assertThat(Manifests.apply(client, NS, policy(size))).isEqualTo("configured");
      long generation = 1L + i;
      assertThat(stored(client).getSpec().getCache().getMaximumSize()).as("read right after edit %d", i)
          .isEqualTo(size);
      // the next edit follows the operator's first status write for this one (observedGeneration), racing the
      // writes that follow it (agents' ACKs -> Ready)
      await().atMost(Duration.ofSeconds(20)).until(() -> {
        CachePolicy p = stored(client);
        return p.getStatus() != null && Long.valueOf(generation).equals(p.getStatus().getObservedGeneration())
            && !p.getMetadata().getResourceVersion().equals(before);
      });
      CachePolicy now = stored(client);
      assertThat(now.getSpec().getCache().getMaximumSize()).as("edit %d after the operator's status write: %s", i,
          writes()).isEqualTo(size);
    }
    awaitReady(1L + EDITS);
    CachePolicy settled = stored(client);
    assertThat(settled.getSpec().getCache().getMaximumSize()).as("settled: %s", writes()).isEqualTo(100L + EDITS);
    assertThat(settled.getMetadata().getGeneration()).isEqualTo(1L + EDITS);
  }

  private static void awaitReady(long generation) {
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      CachePolicy p = stored(cluster.client());
      assertThat(p.getStatus()).isNotNull();
      assertThat(p.getStatus().getObservedGeneration()).isEqualTo(generation);
      assertThat(p.getStatus().getConditions()).anySatisfy(c -> {
        assertThat(c.getType()).isEqualTo(PolicyConditions.READY);
        assertThat(c.getStatus()).isEqualTo("True");
      });
    });
  }

  private static String statusVersion(KubernetesClient client) {
    return stored(client).getMetadata().getResourceVersion();
  }

  private static CachePolicy stored(KubernetesClient client) {
    return client.resources(CachePolicy.class).inNamespace(NS).withName("pages").get();
  }

  /** The writes to CachePolicies the embedded API received so far (drains its request queue). */
  private static String writes() throws InterruptedException {
    List<String> lines = new ArrayList<>();
    RecordedRequest r;
    while ((r = cluster.server().takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
      if (!"GET".equals(r.getMethod()) && r.getPath().contains("/cachepolicies")) {
        lines.add(r.getMethod() + " " + r.getPath() + " " + r.getHeader("Content-Type") + " " + r.getUtf8Body());
      }
    }
    return String.join("\n", lines);
  }

  private static CachePolicy policy(long maximumSize) {
    return Serialization.unmarshal("""
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: pages
        spec:
          agentSelector: {matchLabels: {app.kubernetes.io/name: cacheplane-agent}}
          cache: {maximumSize: %d, expireAfterWrite: 1m}
          rollout: {steps: [{setWeight: 100}]}
        """.formatted(maximumSize), CachePolicy.class);
  }
}

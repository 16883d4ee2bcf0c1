package io.cacheplane.kubectl.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CachePolicySpec;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code status --watch} against the fabric8 mock API server: it keeps reading while the rollout runs, prints again
 * when the policy changes, and ends with the outcome's exit code once the status settles.
 */
@EnableKubernetesMockClient(crud = true)
class StatusWatchIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  KubernetesClient client;

  @TempDir
  Path dir;

  private Path kubeconfig;

  @BeforeEach
  void policy() throws IOException {
    kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: t}
        contexts:
        - name: mock
          context: {cluster: mock, user: u, namespace: shop}
        current-context: mock
        """.formatted(client.getConfiguration().getMasterUrl()));
    CachePolicy p = new CachePolicy();
    p.getMetadata().setName("pages");
    p.getMetadata().setNamespace("shop");
    p.getMetadata().setGeneration(2L);
    p.setSpec(new CachePolicySpec());
    p.setStatus(status(PolicyPhase.Progressing, "False", PolicyConditions.ROLLOUT_IN_PROGRESS));
    client.resources(CachePolicy.class).inNamespace("shop").resource(p).create();
  }

  private static PolicyStatus status(PolicyPhase phase, String ready, String reason) {
    PolicyStatus s = new PolicyStatus();
    s.setObservedGeneration(2L);
    s.setPhase(phase);
    s.setStableRevision("aaaaaaaaaaaaaaaa");
    s.getConditions().add(new ConditionBuilder().withType(PolicyConditions.READY).withStatus(ready).withReason(reason)
        .withMessage("m").build());
    return s;
  }

  private void setStatus(PolicyStatus status) {
    CachePolicy live = client.resources(CachePolicy.class).inNamespace("shop").withName("pages").get();
    live.setStatus(status);
    client.resources(CachePolicy.class).inNamespace("shop").resource(live).update();
  }

  private CompletableFuture<Integer> watch(StringWriter out, boolean terminal, String... extra) {
    List<String> args = new java.util.ArrayList<>(List.of("--kubeconfig", kubeconfig.toString(), "status",
        "cp/pages", "--watch", "--interval", "100ms"));
    args.addAll(List.of(extra));
    return CompletableFuture.supplyAsync(() -> KubectlCacheplane.run(args.toArray(String[]::new),
        new PrintWriter(out), new PrintWriter(new StringWriter()), Clock.systemUTC(), terminal));
  }

  @Test
  void printsAgainOnChangeAndExitsZeroOnceHealthy() {
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> run = watch(out, false);
    await().atMost(WAIT).until(() -> out.toString().contains("Phase:         Progressing"));
    assertThat(run).isNotDone();

    setStatus(status(PolicyPhase.Healthy, "True", PolicyConditions.PUBLISHED));

    await().atMost(WAIT).until(run::isDone);
    assertThat(run.join()).isEqualTo(ExitCodes.OK);
    String text = out.toString();
    assertThat(text.split("Name:", -1)).as(text).hasSize(3);
    assertThat(text).contains("Phase:         Healthy")
        .endsWith("cachepolicy/pages is Healthy" + System.lineSeparator())
        .doesNotContain("\u001b");
  }

  @Test
  void exitsThreeWhenTheRolloutIsRolledBack() {
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> run = watch(out, true);
    await().atMost(WAIT).until(() -> out.toString().contains("Phase:         Progressing"));

    setStatus(status(PolicyPhase.Degraded, "False", PolicyConditions.ROLLED_BACK));

    await().atMost(WAIT).until(run::isDone);
    assertThat(run.join()).isEqualTo(ExitCodes.ROLLOUT_FAILED);
    assertThat(out.toString()).as("a terminal is redrawn in place").contains("\u001b[H\u001b[2J")
        .contains("Ready:         False  RolledBack: m").contains("cachepolicy/pages rollout failed (Degraded)");
  }

  @Test
  void aPolicyDeletedWhileWatchedEndsWithNotFound() {
    StringWriter out = new StringWriter();
    CompletableFuture<Integer> run = watch(out, false);
    await().atMost(WAIT).until(() -> out.toString().contains("Phase:         Progressing"));

    client.resources(CachePolicy.class).inNamespace("shop").withName("pages").delete();

    await().atMost(WAIT).until(run::isDone);
    assertThat(run.join()).isEqualTo(ExitCodes.NOT_FOUND);
  }
}

package io.cacheplane.kubectl.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.cacheplane.api.v1alpha1.RoutePolicySpec;
import io.cacheplane.kubectl.ExitCodes;
import io.cacheplane.kubectl.KubectlCacheplane;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control commands against the fabric8 mock API server: what they write, what they say, and only that. */
@EnableKubernetesMockClient(crud = true)
class ControlsIT {

  private static final Instant NOW = Instant.parse("2025-06-01T12:00:00.123456Z");

  KubernetesClient client;

  @TempDir
  Path dir;

  private Path kubeconfig;

  record Run(int exitCode, String out, String err) {}

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
          context: {cluster: mock, user: u, namespace: edge}
        current-context: mock
        """.formatted(client.getConfiguration().getMasterUrl()));
    RoutePolicy p = new RoutePolicy();
    p.getMetadata().setName("shop");
    p.getMetadata().setNamespace("edge");
    p.setSpec(new RoutePolicySpec());
    client.resources(RoutePolicy.class).inNamespace("edge").resource(p).create();
  }

  private Run run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--kubeconfig", kubeconfig.toString()));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KubectlCacheplane.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err),
        Clock.fixed(NOW, ZoneOffset.UTC), false);
    return new Run(code, out.toString(), err.toString());
  }

  private RoutePolicy live() {
    return client.resources(RoutePolicy.class).inNamespace("edge").withName("shop").get();
  }

  @Test
  void promoteWritesTheTokenAndWarnsWhenNoRolloutRuns() {
    Run r = run("promote", "rp/shop");
    assertThat(r.exitCode()).isZero();
    assertThat(r.out()).isEqualTo("routepolicy/shop: promotion to the next step requested (cacheplane.io/promote="
        + NOW + ")" + System.lineSeparator());
    assertThat(r.err()).contains("note: no rollout is in progress (status.canaryRevision is empty): nothing to"
        + " promote");
    assertThat(live().getMetadata().getAnnotations()).containsEntry(RolloutControls.PROMOTE_ANNOTATION, NOW.toString())
        .hasSize(1);
  }

  @Test
  void abortDuringARolloutSaysNothingMore() {
    RoutePolicy p = live();
    PolicyStatus s = new PolicyStatus();
    s.setCanaryRevision("bbbbbbbbbbbbbbbb");
    p.setStatus(s);
    client.resources(RoutePolicy.class).inNamespace("edge").resource(p).update();

    Run r = run("abort", "routepolicy/shop");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(live().getMetadata().getAnnotations()).containsEntry(RolloutControls.ABORT_ANNOTATION, NOW.toString());
    assertThat(live().getStatus()).as("status untouched").isEqualTo(s);
  }

  @Test
  void retryWithoutAnAbortedRolloutWarns() {
    Run r = run("retry", "rp/shop");
    assertThat(r.exitCode()).isZero();
    assertThat(r.err()).contains("nothing to retry");
    assertThat(live().getMetadata().getAnnotations()).containsEntry(RolloutControls.RETRY_ANNOTATION, NOW.toString());
  }

  @Test
  void pauseAndResumeSetSpecPausedOnly() {
    assertThat(run("pause", "rp/shop").exitCode()).isZero();
    assertThat(live().getSpec().getPaused()).isTrue();
    assertThat(live().getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(run("resume", "rp/shop").exitCode()).isZero();
    assertThat(live().getSpec().getPaused()).isFalse();
  }

  @Test
  void aMissingPolicyIsNotFoundAndNothingIsCreated() {
    Run r = run("promote", "--full", "rp/nope");
    assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(r.err()).isEqualTo("error: routepolicy/nope not found in namespace \"edge\"" + System.lineSeparator());
    assertThat(client.resources(RoutePolicy.class).inNamespace("edge").withName("nope").get()).isNull();
  }
}

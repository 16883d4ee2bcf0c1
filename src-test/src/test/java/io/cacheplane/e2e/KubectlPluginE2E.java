package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.contract.AgentLeases;
import io.cacheplane.api.contract.AgentReport;
import io.cacheplane.api.contract.AgentReport.PolicyReport;
import io.cacheplane.api.contract.ConfigMapNames;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.PublishedRevision;
import io.cacheplane.api.v1alpha1.AgentCounts;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import io.cacheplane.api.v1alpha1.PolicyPhase;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RevisionHistoryEntry;
import io.cacheplane.api.v1alpha1.RolloutControls;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl cacheplane} on a real kube-apiserver 1.20, run exactly as a user runs it: real kubectl 1.20 finds the
 * plugin's launcher ({@code kubectl-plugin/bin/kubectl-cacheplane}) on PATH, which runs the runnable jar the build
 * made. No operator runs: the tests write policies, their status (through the status subresource, as the operator
 * would), the published ConfigMap envelope and agent Leases themselves, to check what the plugin shows and writes.
 */
@E2E
class KubectlPluginE2E {

  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String STABLE_SIZE = "10000";
  private static final String CANARY_SIZE = "20000";

  private static LocalControlPlane k8s;
  private static KubernetesClient admin;
  private static Path pluginBin;

  @BeforeAll
  static void controlPlane(LocalControlPlane controlPlane) {
    k8s = controlPlane;
    admin = controlPlane.client();
    Path module = k8s.tools().repoRoot().resolve("kubectl-plugin");
    pluginBin = module.resolve("bin");
    assertThat(module.resolve("target/kubectl-cacheplane.jar"))
        .as("the plugin's runnable jar (build the kubectl-plugin module first: mvn -pl kubectl-plugin,src-test verify)")
        .isRegularFile();
  }

  // ---- status ----

  @Test
  void statusShowsStepWeightRevisionsBakeAgentsReadyAndHistory() {
    String ns = k8s.createNamespace("cli-status");
    CachePolicy policy = createPolicy(ns, "pages", STABLE_SIZE);
    writeStatus(ns, "pages", progressing(policy, Instant.now().minus(Duration.ofMinutes(2))));

    Cli.Result r = plugin(ns, "status", "cachepolicy/pages");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).as(r.toString())
        .containsPattern("Name:\\s+pages")
        .containsPattern("Kind:\\s+CachePolicy")
        .containsPattern("Phase:\\s+Progressing")
        .containsPattern("Ready:\\s+False  RolloutInProgress: rollout of revision bbbbbbbbbbbbbbbb in progress")
        .containsPattern("Step:\\s+2/3 \\(pause 10m\\)")
        .containsPattern("Canary weight:\\s+50%")
        .containsPattern("Stable:\\s+aaaaaaaaaaaaaaaa")
        .containsPattern("Canary:\\s+bbbbbbbbbbbbbbbb")
        // 2 of 10 minutes baked: 4 (or, a slow second later, 5) of 20 marks, 20-29 %
        .containsPattern("Bake:\\s+\\[#{4,5}-{15,16}\\]\\s+2\\d%  \\d+m\\d+s left of 10m0s")
        .containsPattern("Agents:\\s+\\[#{15}-{5}\\]\\s+75%  3/4 matched agents serve a revision \\(stable 2, canary 1;"
            + " rejected 0, stale 1\\)")
        .containsPattern("Progressing:\\s+True  StepPaused: step 2/3 \\(pause 10m0s\\)")
        .containsPattern("Last history:\\s+aaaaaaaaaaaaaaaa Promoted \\(generation 1\\)");
    // the short kind and the namespace flag after the command work as in kubectl
    Cli.Result shortForm = pluginNoNamespace("status", "cp/pages", "-n", ns);
    assertThat(shortForm.exitCode()).as(shortForm.toString()).isZero();
    assertThat(withoutBake(shortForm.stdout())).isEqualTo(withoutBake(r.stdout()));
  }

  @Test
  void watchExitsThreeWhenTheRolloutRolledBackAndZeroWhenHealthy() {
    String ns = k8s.createNamespace("cli-watch");
    CachePolicy policy = createPolicy(ns, "pages", STABLE_SIZE);
    PolicyStatus rolledBack = base(policy, PolicyPhase.Degraded);
    rolledBack.getConditions().add(condition(policy, PolicyConditions.READY, "False", PolicyConditions.ROLLED_BACK,
        "agent agent-b rejected revision bbbbbbbbbbbbbbbb: InvalidSpec: bad"));
    rolledBack.getConditions().add(condition(policy, PolicyConditions.DEGRADED, "True", PolicyConditions.ROLLED_BACK,
        "agent agent-b rejected revision bbbbbbbbbbbbbbbb: InvalidSpec: bad"));
    rolledBack.setHistory(List.of(new RevisionHistoryEntry("bbbbbbbbbbbbbbbb", 2L, "RolledBack",
        Instant.now().toString())));
    writeStatus(ns, "pages", rolledBack);

    Cli.Result failed = plugin(ns, "status", "--watch", "--interval", "200ms", "cp/pages");

    assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(3);
    assertThat(failed.stdout()).as(failed.toString())
        .containsPattern("Ready:\\s+False  RolledBack: agent agent-b rejected revision bbbbbbbbbbbbbbbb")
        .containsPattern("Last history:\\s+bbbbbbbbbbbbbbbb RolledBack")
        .contains("cachepolicy/pages rollout failed (Degraded)");

    PolicyStatus healthy = base(policy, PolicyPhase.Healthy);
    healthy.getConditions().add(condition(policy, PolicyConditions.READY, "True", PolicyConditions.PUBLISHED,
        "revision aaaaaaaaaaaaaaaa is published"));
    writeStatus(ns, "pages", healthy);
    Cli.Result ok = plugin(ns, "status", "-w", "cp/pages");
    assertThat(ok.exitCode()).as(ok.toString()).isZero();
    assertThat(ok.stdout()).contains("cachepolicy/pages is Healthy");
  }

  @Test
  void watchGivesUpWithSixAtTheTimeoutWhileTheRolloutRuns() {
    String ns = k8s.createNamespace("cli-timeout");
    CachePolicy policy = createPolicy(ns, "pages", STABLE_SIZE);
    writeStatus(ns, "pages", progressing(policy, Instant.now()));

    Cli.Result r = plugin(ns, "status", "--watch", "--timeout", "1s", "--interval", "200ms", "cp/pages");

    assertThat(r.exitCode()).as(r.toString()).isEqualTo(6);
    assertThat(r.stderr()).contains("cachepolicy/pages did not settle within 1s (phase Progressing)");
    // not a terminal: printed once, since the policy did not change
    assertThat(r.stdout().split("Name:", -1)).as(r.toString()).hasSize(2);
  }

  // ---- agents ----

  @Test
  void agentsListsEachAgentsRevisionPerPolicyRejectionsAndStaleLeases() {
    String ns = k8s.createNamespace("cli-agents");
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    createLease(ns, "agent-a", "a", now, new AgentReport("agent-a", List.of(
        new PolicyReport("CachePolicy", "pages", "uid-1", 3L, "aaaaaaaaaaaaaaaa", AgentReport.APPLIED, null, null, null,
            null),
        new PolicyReport("RoutePolicy", "shop", "uid-2", 1L, "cccccccccccccccc", AgentReport.APPLIED, null, null, null,
            null))));
    createLease(ns, "agent-b", "b", now.minusMinutes(10), new AgentReport("agent-b", List.of(
        new PolicyReport("CachePolicy", "pages", "uid-1", 4L, "aaaaaaaaaaaaaaaa", AgentReport.REJECTED,
            "bbbbbbbbbbbbbbbb", "InvalidSpec", "spec.cache.maximumSize: must be at least 1", null))));

    Cli.Result r = plugin(ns, "agents");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<String> lines = r.stdout().strip().lines().toList();
    assertThat(lines).as(r.toString()).hasSize(4);
    assertThat(lines.get(0)).matches("AGENT\\s+LIVENESS\\s+RENEWED\\s+POLICY\\s+REVISION\\s+STATE\\s+REASON");
    assertThat(lines.get(1)).matches("agent-a\\s+Live\\s+\\d+s ago \\(lease 15s\\)\\s+cachepolicy/pages\\s+"
        + "aaaaaaaaaaaaaaaa\\s+Applied\\s+-");
    assertThat(lines.get(2)).matches("agent-a\\s+Live\\s+.*routepolicy/shop\\s+cccccccccccccccc\\s+Applied\\s+-");
    assertThat(lines.get(3)).matches("agent-b\\s+Stale\\s+10m ago \\(lease 15s\\)\\s+cachepolicy/pages\\s+"
        + "aaaaaaaaaaaaaaaa\\s+Rejected\\s+InvalidSpec \\(revision bbbbbbbbbbbbbbbb\\): spec.cache.maximumSize: must"
        + " be at least 1");

    Cli.Result selected = plugin(ns, "agents", "-l", "zone=b");
    assertThat(selected.exitCode()).as(selected.toString()).isZero();
    assertThat(selected.stdout().strip().lines()).hasSize(2).noneMatch(l -> l.startsWith("agent-a"));

    Cli.Result badSelector = plugin(ns, "agents", "-l", "zone==in(");
    assertThat(badSelector.exitCode()).as(badSelector.toString()).isEqualTo(2);
    assertThat(badSelector.stderr()).contains("error: the API server refused the request to list leases");
  }

  // ---- controls ----

  @Test
  void controlsSetTheAnnotationTokensAndSpecPausedButNeverStatus() {
    String ns = k8s.createNamespace("cli-controls");
    CachePolicy policy = createPolicy(ns, "pages", STABLE_SIZE);
    writeStatus(ns, "pages", progressing(policy, Instant.now()));
    PolicyStatus statusBefore = read(ns, "pages").getStatus();

    Instant before = Instant.now().minusSeconds(1);
    Cli.Result promote = plugin(ns, "promote", "cachepolicy/pages");
    assertThat(promote.exitCode()).as(promote.toString()).isZero();
    assertThat(promote.stdout())
        .contains("cachepolicy/pages: promotion to the next step requested (cacheplane.io/promote=");
    String token = read(ns, "pages").getMetadata().getAnnotations().get(RolloutControls.PROMOTE_ANNOTATION);
    assertThat(Instant.parse(token)).isAfter(before);

    Cli.Result again = plugin(ns, "promote", "cachepolicy/pages");
    assertThat(again.exitCode()).as(again.toString()).isZero();
    assertThat(read(ns, "pages").getMetadata().getAnnotations().get(RolloutControls.PROMOTE_ANNOTATION))
        .as("a second promote is a new token").isNotEqualTo(token);

    for (List<String> cmd : List.of(List.of("promote", "--full"), List.of("abort"), List.of("retry"))) {
      List<String> args = new ArrayList<>(cmd);
      args.add("cp/pages");
      Cli.Result r = plugin(ns, args.toArray(String[]::new));
      assertThat(r.exitCode()).as(r.toString()).isZero();
    }
    Map<String, String> annotations = read(ns, "pages").getMetadata().getAnnotations();
    assertThat(annotations).containsKeys(RolloutControls.PROMOTE_FULL_ANNOTATION, RolloutControls.ABORT_ANNOTATION,
        RolloutControls.RETRY_ANNOTATION);

    Cli.Result pause = plugin(ns, "pause", "cp/pages");
    assertThat(pause.exitCode()).as(pause.toString()).isZero();
    assertThat(pause.stdout()).contains("cachepolicy/pages: paused (spec.paused=true)");
    CachePolicy paused = read(ns, "pages");
    assertThat(paused.getSpec().getPaused()).isTrue();
    assertThat(paused.getSpec().getCache().getMaximumSize()).as("the rest of spec is untouched").isEqualTo(10000L);

    Cli.Result resume = plugin(ns, "resume", "cp/pages");
    assertThat(resume.exitCode()).as(resume.toString()).isZero();
    CachePolicy resumed = read(ns, "pages");
    assertThat(resumed.getSpec().getPaused()).isFalse();
    assertThat(resumed.getStatus()).as("the plugin never writes status").isEqualTo(statusBefore);
  }

  // ---- diff ----

  @Test
  void diffShowsTheCanarysChangeAgainstTheStableSpec() {
    String ns = k8s.createNamespace("cli-diff");
    CachePolicy stable = createPolicy(ns, "pages", STABLE_SIZE);
    CachePolicy canary = parse(ns, "pages", CANARY_SIZE);
    PublishedRevision stableRev = EnvelopeCodec.publish(stable.getSpec(), 1, null);
    PublishedRevision canaryRev = EnvelopeCodec.publish(canary.getSpec(), 2, 2147483648L);
    Envelope envelope = new Envelope(Envelope.SCHEMA_VERSION, CacheplaneApi.KIND_CACHE_POLICY, "pages",
        stable.getMetadata().getUid(), 7L, null, stableRev, canaryRev);
    publish(ns, stable, envelope);

    Cli.Result r = plugin(ns, "diff", "cp/pages");

    assertThat(r.exitCode()).as(r.toString()).isZero();
    assertThat(r.stdout()).as(r.toString())
        .contains("--- stable " + stableRev.revision() + " (generation 1)")
        .contains("+++ canary " + canaryRev.revision() + " (generation 2)")
        .contains("-  maximumSize: " + STABLE_SIZE)
        .contains("+  maximumSize: " + CANARY_SIZE)
        .doesNotContain("rollout:");

    publish(ns, stable, new Envelope(Envelope.SCHEMA_VERSION, CacheplaneApi.KIND_CACHE_POLICY, "pages",
        stable.getMetadata().getUid(), 8L, null, stableRev, null));
    Cli.Result none = plugin(ns, "diff", "cp/pages");
    assertThat(none.exitCode()).as(none.toString()).isZero();
    assertThat(none.stdout()).contains("cachepolicy/pages: no rollout in progress; every agent is given the stable"
        + " revision " + stableRev.revision());
  }

  // ---- errors ----

  @Test
  void aMissingPolicyExitsFourAndABadArgumentTwo() {
    String ns = k8s.createNamespace("cli-missing");
    for (String command : List.of("status", "promote", "pause", "diff")) {
      Cli.Result r = plugin(ns, command, "cachepolicy/nope");
      assertThat(r.exitCode()).as(r.toString()).isEqualTo(4);
      assertThat(r.stderr()).as(r.toString()).contains("error: cachepolicy/nope not found in namespace \"" + ns + "\"");
    }
    Cli.Result bad = plugin(ns, "status", "deployment/nope");
    assertThat(bad.exitCode()).as(bad.toString()).isEqualTo(2);
    assertThat(bad.stderr()).contains("unknown kind \"deployment\"");
  }

  @Test
  void aServiceAccountWithoutPermissionGetsForbiddenWithVerbAndResource(@TempDir Path dir) throws IOException {
    String ns = k8s.createNamespace("cli-rbac");
    createPolicy(ns, "pages", STABLE_SIZE);
    admin.serviceAccounts().inNamespace(ns).resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("nobody").endMetadata().build()).create();
    Path kubeconfig = dir.resolve("nobody.kubeconfig");
    Files.writeString(kubeconfig, kubeconfig(ns, ServiceAccountClients.token(k8s, ns, "nobody")));

    Cli.Result status = plugin(ns, "--kubeconfig", kubeconfig.toString(), "status", "cp/pages");
    assertThat(status.exitCode()).as(status.toString()).isEqualTo(5);
    assertThat(status.stderr()).as(status.toString())
        .contains("error: forbidden: you may not get cachepolicies.cacheplane.io in namespace \"" + ns + "\"")
        .contains("system:serviceaccount:" + ns + ":nobody");

    Cli.Result promote = plugin(ns, "promote", "cp/pages", "--kubeconfig", kubeconfig.toString());
    assertThat(promote.exitCode()).as(promote.toString()).isEqualTo(5);
    assertThat(promote.stderr()).contains("forbidden: you may not patch cachepolicies.cacheplane.io");
    assertThat(read(ns, "pages").getMetadata().getAnnotations()).doesNotContainKey(RolloutControls.PROMOTE_ANNOTATION);
  }

  @Test
  void anUnreachableApiServerExitsOneAndSaysWhere(@TempDir Path dir) throws IOException {
    Path kubeconfig = dir.resolve("down.kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: down
          cluster: {server: "https://127.0.0.1:1"}
        users:
        - name: u
          user: {token: t}
        contexts:
        - name: down
          context: {cluster: down, user: u}
        current-context: down
        """);
    Cli.Result r = plugin("default", "--kubeconfig", kubeconfig.toString(), "agents");
    assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
    assertThat(r.stderr()).contains("error: cannot reach the Kubernetes API server at https://127.0.0.1:1/");
  }

  // ---- helpers ----

  /** The output without the Bake line (its countdown moves between two runs). */
  private static String withoutBake(String out) {
    return out.lines().filter(l -> !l.startsWith("Bake:")).toList().toString();
  }

  /** {@code kubectl cacheplane <args> -n <ns>} through PATH, with the admin kubeconfig in KUBECONFIG. */
  private static Cli.Result plugin(String namespace, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--namespace=" + namespace);
    return pluginNoNamespace(all.toArray(String[]::new));
  }

  private static Cli.Result pluginNoNamespace(String... args) {
    List<String> cmd = new ArrayList<>(List.of(k8s.tools().kubectl().toString(), "cacheplane"));
    cmd.addAll(List.of(args));
    String javaBin = Path.of(System.getProperty("java.home"), "bin").toString();
    Map<String, String> env = Map.of(
        "PATH", pluginBin + ":" + javaBin + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"),
        "KUBECONFIG", k8s.kubeconfig().toString(),
        "JAVA_HOME", System.getProperty("java.home"));
    return Cli.run(cmd, k8s.tools().repoRoot(), env, null, TIMEOUT);
  }

  private static CachePolicy parse(String ns, String name, String maximumSize) {
    String yaml = """
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: %s
          namespace: %s
        spec:
          cache:
            maximumSize: %s
            expireAfterWrite: 5m
          rollout:
            steps:
            - setWeight: 50
            - pause: {duration: 10m}
            - setWeight: 100
        """.formatted(name, ns, maximumSize);
    return admin.getKubernetesSerialization().unmarshal(yaml, CachePolicy.class);
  }

  private static CachePolicy createPolicy(String ns, String name, String maximumSize) {
    return admin.resources(CachePolicy.class).inNamespace(ns).resource(parse(ns, name, maximumSize)).create();
  }

  private static CachePolicy read(String ns, String name) {
    return admin.resources(CachePolicy.class).inNamespace(ns).withName(name).get();
  }

  /** Writes status through the status subresource, as the operator does. */
  private static void writeStatus(String ns, String name, PolicyStatus status) {
    CachePolicy live = read(ns, name);
    live.setStatus(status);
    admin.resources(CachePolicy.class).inNamespace(ns).resource(live).updateStatus();
  }

  private static PolicyStatus base(CachePolicy policy, PolicyPhase phase) {
    PolicyStatus s = new PolicyStatus();
    s.setObservedGeneration(policy.getMetadata().getGeneration());
    s.setPhase(phase);
    s.setStableRevision("aaaaaaaaaaaaaaaa");
    s.setSequence(3L);
    return s;
  }

  /** At step 2 of 3 (pause 10m) since {@code stepStartedAt}, weight 50, 3 of 4 agents on a revision. */
  private static PolicyStatus progressing(CachePolicy policy, Instant stepStartedAt) {
    PolicyStatus s = base(policy, PolicyPhase.Progressing);
    s.setCanaryRevision("bbbbbbbbbbbbbbbb");
    s.setCurrentStepIndex(1);
    s.setCanaryWeight(50);
    s.setCurrentStepStartedAt(stepStartedAt.truncatedTo(ChronoUnit.SECONDS).toString());
    AgentCounts agents = new AgentCounts();
    agents.setMatched(4);
    agents.setStable(2);
    agents.setCanary(1);
    agents.setRejected(0);
    agents.setStale(1);
    s.setAgents(agents);
    s.getConditions().add(condition(policy, PolicyConditions.READY, "False", PolicyConditions.ROLLOUT_IN_PROGRESS,
        "rollout of revision bbbbbbbbbbbbbbbb in progress"));
    s.getConditions().add(condition(policy, PolicyConditions.PROGRESSING, "True", PolicyConditions.STEP_PAUSED,
        "step 2/3 (pause 10m0s): 2 of 4 live agent(s) targeted"));
    s.setHistory(List.of(new RevisionHistoryEntry("aaaaaaaaaaaaaaaa", 1L, "Promoted", "2025-01-01T00:00:00Z")));
    return s;
  }

  private static Condition condition(CachePolicy policy, String type, String status, String reason, String message) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withObservedGeneration(policy.getMetadata().getGeneration())
        .withLastTransitionTime(Instant.now().truncatedTo(ChronoUnit.SECONDS).toString()).build();
  }

  private static void createLease(String ns, String agent, String zone, ZonedDateTime renewTime, AgentReport report) {
    Lease lease = new LeaseBuilder().withNewMetadata().withName(AgentLeases.leaseName(agent))
        .withLabels(Map.of(AgentLeases.AGENT_LABEL, "true", "zone", zone))
        .withAnnotations(Map.of(AgentLeases.REPORT_ANNOTATION, AgentLeases.encode(report),
            AgentLeases.SCHEMA_VERSIONS_ANNOTATION, "1"))
        .endMetadata()
        .withNewSpec().withHolderIdentity(agent).withLeaseDurationSeconds(15).withRenewTime(renewTime)
        .withAcquireTime(renewTime).endSpec().build();
    admin.resources(Lease.class).inNamespace(ns).resource(lease).create();
  }

  private static void publish(String ns, CachePolicy policy, Envelope envelope) {
    String name = ConfigMapNames.configMapName(CacheplaneApi.KIND_CACHE_POLICY, policy.getMetadata().getName());
    admin.configMaps().inNamespace(ns).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .withLabels(ConfigMapNames.labels(CacheplaneApi.KIND_CACHE_POLICY, policy.getMetadata().getName(),
            policy.getMetadata().getUid()))
        .endMetadata().withData(Map.of(Envelope.DATA_KEY, EnvelopeCodec.encode(envelope))).build()).createOr(
            op -> op.update());
  }

  private static String kubeconfig(String ns, String token) {
    Config adminConfig = admin.getConfiguration();
    return """
        apiVersion: v1
        kind: Config
        clusters:
        - name: local
          cluster:
            server: %s
            certificate-authority-data: %s
        users:
        - name: nobody
          user:
            token: %s
        contexts:
        - name: nobody
          context: {cluster: local, user: nobody, namespace: %s}
        current-context: nobody
        """.formatted(adminConfig.getMasterUrl(), adminConfig.getCaCertData(), token, ns);
  }
}

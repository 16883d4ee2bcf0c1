package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart {@code helm/cacheplane}: lint, offline rendering with defaults and with every documented value,
 * CRDs identical to {@code crds/}, and on a real kube-apiserver 1.20: install, least-privilege RBAC proven with
 * {@code kubectl auth can-i}, upgrade, uninstall, and schema refusal. Each test uses its own namespaces and releases.
 *
 * <p>Installs use {@code --skip-crds}: the CRDs are applied with kubectl first (as the chart README says; the control
 * plane applies them at start). Helm 4 applies {@code crds/} with server-side apply, which conflicts on
 * {@code .spec.versions} with CRDs applied by kubectl.
 */
@E2E
class HelmChartE2E {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String AGENT_NAME_LABEL = "app.kubernetes.io/name";
  /** Argo CD's default tracking label: never on a chart object (agents copy their pod labels onto Leases). */
  private static final String INSTANCE_LABEL = "app.kubernetes.io/instance";
  private static final ResourceDefinitionContext CACHE_POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("cacheplane.io").withVersion("v1alpha1").withPlural("cachepolicies").withKind("CachePolicy")
      .withNamespaced(true).build();
  /** Values whose maps are opaque Kubernetes fields or free-form maps: documented as one entry. */
  private static final Set<String> OPAQUE = Set.of("resources", "podSecurityContext", "securityContext",
      "affinity", "nodeSelector", "podLabels", "podAnnotations", "annotations", "commonLabels");

  private static LocalControlPlane k8s;
  private static String chart;
  private static String appVersion;

  @BeforeAll
  static void controlPlane(LocalControlPlane controlPlane) throws IOException {
    k8s = controlPlane;
    chart = k8s.tools().chart().toString();
    Map<String, Object> chartYaml = yaml(k8s.tools().chart().resolve("Chart.yaml"));
    appVersion = String.valueOf(chartYaml.get("appVersion"));
  }

  // ---- offline: lint, files, template ---------------------------------------------------------------------------

  @Test
  void lintIsCleanWithDefaultsAndWithTheCiValues() {
    for (List<String> values : List.of(List.<String>of(), List.of("-f", chart + "/ci/all-options-values.yaml"),
        List.of("-f", chart + "/ci/existing-accounts-values.yaml"))) {
      List<String> args = new ArrayList<>(List.of("lint", "--strict", chart));
      args.addAll(values);
      Cli.Result lint = k8s.helm(args.toArray(String[]::new));
      assertThat(lint.exitCode()).as(lint.toString()).isZero();
      assertThat(lint.output()).as(lint.toString())
          .contains("1 chart(s) linted, 0 chart(s) failed")
          .doesNotContain("[WARNING]")
          .doesNotContain("[ERROR]");
    }
  }

  @Test
  void chartCrdsAreByteIdenticalToTheTopLevelCrds() throws IOException {
    Path top = k8s.tools().repoRoot().resolve("crds");
    Path inChart = k8s.tools().chart().resolve("crds");
    assertThat(fileNames(inChart)).as("files of %s", inChart).isEqualTo(fileNames(top)).isNotEmpty();
    for (String name : fileNames(top)) {
      assertThat(Files.mismatch(top.resolve(name), inChart.resolve(name)))
          .as("%s differs from %s: copy crds/*.yaml to helm/cacheplane/crds/", inChart.resolve(name), top.resolve(name))
          .isEqualTo(-1L);
    }
  }

  private static Set<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  @Test
  void defaultsRenderLeastPrivilegeHardenedWorkloads() {
    Rendered r = template("cacheplane", "cp-system");
    assertThat(r.text()).as("no object carries Argo CD's tracking label").doesNotContain(INSTANCE_LABEL);
    assertThat(r.kinds()).containsExactlyInAnyOrder("ServiceAccount", "ServiceAccount", "ClusterRole",
        "ClusterRoleBinding", "Role", "RoleBinding", "Role", "RoleBinding", "Service", "Deployment", "Deployment");
    for (HasMetadata o : r.objects()) {
      assertThat(o.getMetadata().getLabels()).as("labels of %s", o.getFullResourceName())
          .containsEntry("app.kubernetes.io/part-of", "cacheplane")
          .containsEntry("app.kubernetes.io/managed-by", "Helm")
          .containsEntry("cacheplane.io/release", "cacheplane")
          .containsKey("helm.sh/chart")
          .doesNotContainKey(INSTANCE_LABEL);
    }

    // Agents
    Deployment agent = r.one(Deployment.class, "cacheplane-agent");
    assertThat(agent.getSpec().getReplicas()).isEqualTo(2);
    Map<String, String> selector = agent.getSpec().getSelector().getMatchLabels();
    assertThat(selector).containsEntry(AGENT_NAME_LABEL, "cacheplane-agent").doesNotContainKey(INSTANCE_LABEL)
        .doesNotContainKey("helm.sh/chart").doesNotContainKey("app.kubernetes.io/version");
    assertThat(agent.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(selector)
        .containsEntry(AGENT_NAME_LABEL, "cacheplane-agent")
        .doesNotContainKeys(INSTANCE_LABEL, "helm.sh/chart", "app.kubernetes.io/version");
    PodSpec pod = agent.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("cacheplane-agent");
    Container c = single(pod.getContainers());
    assertThat(c.getImage()).isEqualTo("cacheplane/agent:" + appVersion);
    assertThat(fieldRefs(c)).containsEntry("POD_NAME", "metadata.name").containsEntry("POD_NAMESPACE",
        "metadata.namespace").containsEntry("POD_UID", "metadata.uid");
    assertThat(env(c)).containsEntry("CACHEPLANE_AGENT_STATE_DIR", "/var/lib/cacheplane");
    assertThat(ports(c)).containsExactlyInAnyOrderEntriesOf(Map.of("http", 8080, "management", 9000));
    assertProbes(c, 9000);
    assertHardened(pod, c);
    assertThat(mounts(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "podinfo", "/etc/podinfo", "state", "/var/lib/cacheplane", "tmp", "/tmp"));
    Volume podinfo = volume(pod, "podinfo");
    assertThat(podinfo.getDownwardAPI().getItems()).singleElement().satisfies(item -> {
      assertThat(item.getPath()).isEqualTo("labels");
      assertThat(item.getFieldRef().getFieldPath()).isEqualTo("metadata.labels");
    });
    assertThat(mountOf(c, "podinfo").getReadOnly()).isTrue();
    assertThat(volume(pod, "state").getEmptyDir()).isNotNull();
    assertThat(volume(pod, "tmp").getEmptyDir()).isNotNull();

    Service service = r.one(Service.class, "cacheplane-agent");
    assertThat(service.getSpec().getSelector()).isEqualTo(selector);
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getPort()).isEqualTo(80);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });

    Role agentRole = r.one(Role.class, "cacheplane-agent");
    assertThat(rules(agentRole.getRules())).containsExactlyInAnyOrder(
        "/configmaps: get,list,watch",
        "coordination.k8s.io/leases: create,get,update",
        "/pods: get");
    RoleBinding agentBinding = r.one(RoleBinding.class, "cacheplane-agent");
    assertThat(agentBinding.getRoleRef().getName()).isEqualTo("cacheplane-agent");
    assertThat(agentBinding.getSubjects()).singleElement().satisfies(s -> {
      assertThat(s.getName()).isEqualTo("cacheplane-agent");
      assertThat(s.getNamespace()).isEqualTo("cp-system");
    });

    // Operator
    Deployment operator = r.one(Deployment.class, "cacheplane-operator");
    assertThat(operator.getSpec().getReplicas()).isEqualTo(1);
    assertThat(operator.getSpec().getStrategy().getType()).as("leader election: replicas may overlap")
        .isEqualTo("RollingUpdate");
    assertThat(operator.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isZero();
    assertThat(operator.getSpec().getSelector().getMatchLabels()).doesNotContainKey(INSTANCE_LABEL);
    PodSpec opPod = operator.getSpec().getTemplate().getSpec();
    Container op = single(opPod.getContainers());
    assertThat(op.getImage()).isEqualTo("cacheplane/operator:" + appVersion);
    assertThat(env(op)).containsEntry("CACHEPLANE_OPERATOR_NAMESPACES", "")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_ENABLED", "true")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_LEASE_NAME", "cacheplane-operator")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_LEASE_DURATION", "15s")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE", "10s")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_RETRY_PERIOD", "2s");
    assertThat(fieldRefs(op)).containsEntry("POD_NAME", "metadata.name")
        .containsEntry("POD_NAMESPACE", "metadata.namespace");
    assertThat(ports(op)).containsExactlyEntriesOf(Map.of("management", 9090));
    assertProbes(op, 9090);
    assertHardened(opPod, op);
    assertThat(mounts(op)).containsExactlyEntriesOf(Map.of("tmp", "/tmp"));
    assertThat(op.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(op.getResources().getLimits()).containsKey("memory");

    ClusterRole clusterRole = r.one(ClusterRole.class, "cp-system-cacheplane-operator");
    assertThat(rules(clusterRole.getRules())).containsExactlyInAnyOrder(
        "cacheplane.io/cachepolicies,routepolicies: get,list,watch",
        "cacheplane.io/cachepolicies/status,routepolicies/status: get,patch,update",
        "/configmaps: create,delete,get,list,patch,update,watch",
        "coordination.k8s.io/leases: get,list,watch",
        "/pods: get,list,watch",
        "/events: create,patch");
    assertThat(r.text()).as("no rule mentions Secrets").doesNotContain("secrets");

    Role leaderElection = r.one(Role.class, "cacheplane-operator-leader-election");
    assertThat(leaderElection.getMetadata().getNamespace()).isEqualTo("cp-system");
    assertThat(leaderElection.getRules()).extracting(rule -> rule.getApiGroups() + " " + rule.getResources() + " "
        + rule.getResourceNames() + " " + rule.getVerbs()).containsExactlyInAnyOrder(
            "[coordination.k8s.io] [leases] [] [create]",
            "[coordination.k8s.io] [leases] [cacheplane-operator] [get, update]");
    RoleBinding leaderBinding = r.one(RoleBinding.class, "cacheplane-operator-leader-election");
    assertThat(leaderBinding.getRoleRef().getName()).isEqualTo("cacheplane-operator-leader-election");
    assertThat(leaderBinding.getSubjects()).singleElement()
        .satisfies(subject -> assertThat(subject.getName()).isEqualTo("cacheplane-operator"));

    Rendered single = template("cp", "ns", "--set", "operator.leaderElection.enabled=false");
    assertThat(single.one(Deployment.class, "cp-cacheplane-operator").getSpec().getStrategy().getType())
        .as("without leader election two operators must never overlap").isEqualTo("Recreate");
    assertThat(single.objects()).extracting(o -> o.getMetadata().getName())
        .doesNotContain("cp-cacheplane-operator-leader-election");
    Cli.Result twoWithoutElection = k8s.helm("template", "cp", chart, "--set", "operator.replicas=2",
        "--set", "operator.leaderElection.enabled=false");
    assertThat(twoWithoutElection.exitCode()).as(twoWithoutElection.toString()).isNotZero();
    assertThat(twoWithoutElection.stderr()).contains("operator.replicas > 1 needs operator.leaderElection.enabled");
  }

  @Test
  void podDisruptionBudgetOnlyWherePolicyV1IsServed() {
    assertThat(template("cp", "ns").kinds()).doesNotContain("PodDisruptionBudget");

    Rendered withPolicyV1 = template("cp", "ns", "--api-versions", "policy/v1/PodDisruptionBudget");
    PodDisruptionBudget pdb = withPolicyV1.one(PodDisruptionBudget.class, "cp-cacheplane-agent");
    assertThat(pdb.getApiVersion()).isEqualTo("policy/v1");
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getMinAvailable()).isNull();
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(withPolicyV1.one(Deployment.class, "cp-cacheplane-agent").getSpec().getSelector().getMatchLabels());

    Rendered percent = template("cp", "ns", "--api-versions", "policy/v1/PodDisruptionBudget",
        "--set", "agent.podDisruptionBudget.minAvailable=50%");
    assertThat(percent.one(PodDisruptionBudget.class, "cp-cacheplane-agent").getSpec().getMinAvailable().getStrVal())
        .isEqualTo("50%");

    assertThat(template("cp", "ns", "--api-versions", "policy/v1/PodDisruptionBudget",
        "--set", "agent.podDisruptionBudget.enabled=false").kinds()).doesNotContain("PodDisruptionBudget");
  }

  @Test
  void everyDocumentedValueIsInTheReadmeTheSchemaAndTheAllOptionsFile() throws IOException {
    Map<String, Object> defaults = yaml(k8s.tools().chart().resolve("values.yaml"));
    Map<String, Object> all = yaml(k8s.tools().chart().resolve("ci/all-options-values.yaml"));
    String readme = Files.readString(k8s.tools().chart().resolve("README.md"));
    Map<String, Object> schema = Serialization.unmarshal(
        Files.readString(k8s.tools().chart().resolve("values.schema.json")), Map.class);
    List<String> paths = leafPaths(defaults, "");
    assertThat(paths).hasSizeGreaterThan(50);
    for (String path : paths) {
      assertThat(readme).as("README.md documents `%s`", path).contains("`" + path + "`");
      assertThat(lookup(all, path)).as("ci/all-options-values.yaml sets %s", path).isNotNull();
      assertThat(schemaHas(schema, path)).as("values.schema.json knows %s", path).isTrue();
    }
  }

  @Test
  void everyDocumentedOptionRendersAndPassesServerSideValidation() {
    String ns = k8s.createNamespace("helm-all");
    String watchA = k8s.createNamespace("helm-all-watch");
    String watchB = k8s.createNamespace("helm-all-watch");
    Rendered r = template("cp", ns, "-f", chart + "/ci/all-options-values.yaml",
        "--set-json", "operator.watchNamespaces=[\"" + watchA + "\",\"" + watchB + "\"]");
    assertThat(r.text()).doesNotContain(INSTANCE_LABEL);
    assertThat(r.kinds()).doesNotContain("ClusterRole", "ClusterRoleBinding");
    // the agents' Role and the operator's leader election Role in the release namespace, the operator's in each watched
    assertThat(r.objects().stream().filter(o -> o instanceof Role).map(o -> o.getMetadata().getNamespace()))
        .containsExactlyInAnyOrder(ns, ns, watchA, watchB);
    assertThat(r.objects().stream().filter(o -> o instanceof RoleBinding).map(o -> o.getMetadata().getNamespace()))
        .containsExactlyInAnyOrder(ns, ns, watchA, watchB);

    Deployment operator = r.one(Deployment.class, "cacheplane-all-operator");
    Container op = single(operator.getSpec().getTemplate().getSpec().getContainers());
    assertThat(op.getImage()).isEqualTo("registry.example.test/cacheplane/operator@sha256:"
        + "0000000000000000000000000000000000000000000000000000000000000001");
    assertThat(env(op)).containsEntry("CACHEPLANE_OPERATOR_NAMESPACES", watchA + "," + watchB)
        .containsEntry("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_LEASE_NAME", "cp-e2e-operator-lock")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_LEASE_DURATION", "20s")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_RENEW_DEADLINE", "12s")
        .containsEntry("CACHEPLANE_OPERATOR_LEADER_ELECTION_RETRY_PERIOD", "3s");
    assertThat(operator.getSpec().getReplicas()).isEqualTo(2);
    assertThat(r.one(Role.class, "cacheplane-all-operator-leader-election").getRules())
        .anySatisfy(rule -> assertThat(rule.getResourceNames()).containsExactly("cp-e2e-operator-lock"));
    assertThat(operator.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("cp-operator-sa");
    assertThat(operator.getSpec().getTemplate().getSpec().getImagePullSecrets())
        .extracting(s -> s.getName()).containsExactly("regcred", "regcred-2");
    assertThat(operator.getMetadata().getLabels()).containsEntry("team", "platform");

    Deployment agent = r.one(Deployment.class, "cacheplane-all-agent");
    assertThat(agent.getSpec().getReplicas()).isEqualTo(3);
    PodSpec agentPod = agent.getSpec().getTemplate().getSpec();
    assertThat(single(agentPod.getContainers()).getImage())
        .isEqualTo("registry.example.test/cacheplane/agent:0.1.0-rc.1");
    assertThat(agent.getSpec().getTemplate().getMetadata().getLabels())
        .containsEntry("example.test/tier", "edge").containsEntry(AGENT_NAME_LABEL, "cacheplane-agent");
    assertThat(agentPod.getTopologySpreadConstraints()).hasSize(1);
    assertThat(agentPod.getPriorityClassName()).isEqualTo("system-node-critical");
    assertThat(agentPod.getSecurityContext().getRunAsUser()).isEqualTo(20001L);
    Service service = r.one(Service.class, "cacheplane-all-agent");
    assertThat(service.getSpec().getType()).isEqualTo("NodePort");
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(8080);

    // The real 1.20 apiserver accepts every rendered object (a PodDisruptionBudget is not rendered: no policy/v1).
    Cli.Result dryRun = k8s.kubectlWithInput(r.text(), "apply", "--dry-run=server", "-f", "-");
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.stdout()).contains("deployment.apps/cacheplane-all-agent created (server dry run)");

    Rendered withPdb = template("cp", ns, "-f", chart + "/ci/all-options-values.yaml",
        "--api-versions", "policy/v1/PodDisruptionBudget");
    assertThat(withPdb.one(PodDisruptionBudget.class, "cacheplane-all-agent").getSpec().getMinAvailable().getIntVal())
        .as("minAvailable wins over maxUnavailable").isEqualTo(2);
  }

  @Test
  void alternativeTopologiesRender() {
    Rendered byo = template("cp", "ns", "-f", chart + "/ci/existing-accounts-values.yaml",
        "--api-versions", "policy/v1/PodDisruptionBudget");
    assertThat(byo.kinds()).containsExactlyInAnyOrder("Service", "Deployment", "Deployment");
    assertThat(byo.one(Deployment.class, "cp-cacheplane-agent").getSpec().getTemplate().getSpec()
        .getServiceAccountName()).isEqualTo("my-agent");
    assertThat(byo.one(Deployment.class, "cp-cacheplane-operator").getSpec().getTemplate().getSpec()
        .getServiceAccountName()).isEqualTo("my-operator");
    assertThat(byo.one(Service.class, "cp-cacheplane-agent").getSpec().getType()).isEqualTo("LoadBalancer");

    Rendered agentsOnly = template("team-a", "team-a", "--set", "operator.enabled=false");
    assertThat(agentsOnly.objects()).extracting(o -> o.getMetadata().getName()).allMatch(n -> n.endsWith("-agent"));
    assertThat(agentsOnly.kinds()).containsExactlyInAnyOrder("ServiceAccount", "Role", "RoleBinding", "Service",
        "Deployment");

    Rendered operatorOnly = template("cp", "ns", "--set", "agent.enabled=false");
    assertThat(operatorOnly.objects()).extracting(o -> o.getMetadata().getName())
        .allMatch(n -> n.endsWith("-operator") || n.endsWith("-operator-leader-election"));

    Rendered renamed = template("prod", "ns", "--set", "nameOverride=cp");
    assertThat(renamed.one(Deployment.class, "prod-cp-agent")).isNotNull();

    Cli.Result nothing = k8s.helm("template", "cp", chart, "--set", "operator.enabled=false",
        "--set", "agent.enabled=false");
    assertThat(nothing.exitCode()).as(nothing.toString()).isNotZero();
    assertThat(nothing.stderr()).contains("operator.enabled and agent.enabled are both false");
  }

  // ---- on the real apiserver ---------------------------------------------------------------------------------

  @Test
  void installsOnTheRealApiServer() {
    String ns = k8s.createNamespace("helm-install");
    Cli.Result install = install(ns, "cp");
    assertThat(install.stdout()).as(install.toString())
        .contains("STATUS: deployed")
        .contains("the cluster does not serve policy/v1");

    assertThat(k8s.client().apps().deployments().inNamespace(ns).list().getItems())
        .extracting(d -> d.getMetadata().getName())
        .containsExactlyInAnyOrder("cp-cacheplane-agent", "cp-cacheplane-operator");
    assertThat(k8s.client().serviceAccounts().inNamespace(ns).list().getItems())
        .extracting(ServiceAccount::getMetadata).extracting(m -> m.getName())
        .contains("cp-cacheplane-agent", "cp-cacheplane-operator");
    assertThat(k8s.client().rbac().clusterRoles().withName(ns + "-cp-cacheplane-operator").get()).isNotNull();
    assertThat(k8s.client().policy().v1beta1().podDisruptionBudget().inNamespace(ns).list().getItems())
        .as("no PodDisruptionBudget on 1.20").isEmpty();

    // The controller-manager makes ReplicaSets and Pods (Pending: no kubelet); the API admitted the pod templates.
    await("2 agent pods and 1 operator pod").atMost(WAIT).until(() -> pods(ns).size() == 3);
    List<Pod> agents = pods(ns).stream()
        .filter(p -> "cacheplane-agent".equals(p.getMetadata().getLabels().get(AGENT_NAME_LABEL))).toList();
    assertThat(agents).hasSize(2).allSatisfy(p -> {
      assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
      assertThat(p.getMetadata().getLabels()).doesNotContainKey(INSTANCE_LABEL);
      assertThat(p.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    });
  }

  @Test
  void agentServiceAccountMayReadConfigMapsAndKeepLeasesButNothingElse() {
    String ns = k8s.createNamespace("helm-rbac-agent");
    String other = k8s.createNamespace("helm-rbac-other");
    install(ns, "cp");
    String agent = "system:serviceaccount:" + ns + ":cp-cacheplane-agent";

    for (String verb : List.of("get", "list", "watch")) {
      assertThat(canI(agent, ns, verb, "configmaps")).as("agent may %s configmaps", verb).isTrue();
    }
    for (String verb : List.of("create", "get", "update")) {
      assertThat(canI(agent, ns, verb, "leases.coordination.k8s.io")).as("agent may %s leases", verb).isTrue();
    }
    assertThat(canI(agent, ns, "get", "pods")).isTrue();

    for (String verb : List.of("create", "update", "patch", "delete", "deletecollection")) {
      assertThat(canI(agent, ns, verb, "configmaps")).as("agent must not %s configmaps", verb).isFalse();
    }
    for (String verb : List.of("get", "list", "watch")) {
      assertThat(canI(agent, ns, verb, "secrets")).as("agent must not %s secrets", verb).isFalse();
    }
    assertThat(canI(agent, ns, "delete", "leases.coordination.k8s.io")).isFalse();
    assertThat(canI(agent, ns, "list", "pods")).isFalse();
    assertThat(canI(agent, ns, "create", "pods")).isFalse();
    assertThat(canI(agent, ns, "get", "cachepolicies.cacheplane.io")).isFalse();
    assertThat(canI(agent, other, "list", "configmaps")).as("agent must not list configmaps of another namespace")
        .isFalse();
    assertThat(canI(agent, other, "create", "leases.coordination.k8s.io")).isFalse();
    assertThat(canI(agent, null, "list", "configmaps")).as("agent must not list configmaps cluster-wide").isFalse();
  }

  @Test
  void operatorServiceAccountMayPublishAndWriteStatusButNotReadSecrets() {
    String ns = k8s.createNamespace("helm-rbac-op");
    String elsewhere = k8s.createNamespace("helm-rbac-op-team");
    install(ns, "cp");
    String operator = "system:serviceaccount:" + ns + ":cp-cacheplane-operator";

    for (String where : List.of(ns, elsewhere)) {
      assertThat(canI(operator, where, "update", "cachepolicies.cacheplane.io", "--subresource=status")).isTrue();
      assertThat(canI(operator, where, "patch", "routepolicies.cacheplane.io", "--subresource=status")).isTrue();
      assertThat(canI(operator, where, "watch", "cachepolicies.cacheplane.io")).isTrue();
      assertThat(canI(operator, where, "create", "configmaps")).isTrue();
      assertThat(canI(operator, where, "delete", "configmaps")).isTrue();
      assertThat(canI(operator, where, "list", "leases.coordination.k8s.io")).isTrue();
      assertThat(canI(operator, where, "watch", "pods")).isTrue();
      assertThat(canI(operator, where, "create", "events")).isTrue();

      assertThat(canI(operator, where, "get", "secrets")).as("operator must not read secrets").isFalse();
      assertThat(canI(operator, where, "update", "cachepolicies.cacheplane.io")).as("never writes a spec").isFalse();
      assertThat(canI(operator, where, "delete", "cachepolicies.cacheplane.io")).isFalse();
      assertThat(canI(operator, where, "create", "pods")).isFalse();
    }
    // leader election: its own Lease in the release namespace only
    assertThat(canI(operator, ns, "create", "leases.coordination.k8s.io")).isTrue();
    assertThat(canI(operator, ns, "update", "leases.coordination.k8s.io/cp-cacheplane-operator")).isTrue();
    assertThat(canI(operator, ns, "update", "leases.coordination.k8s.io/cacheplane-agent-x")).as("an agent's Lease")
        .isFalse();
    assertThat(canI(operator, ns, "delete", "leases.coordination.k8s.io/cp-cacheplane-operator")).isFalse();
    assertThat(canI(operator, elsewhere, "create", "leases.coordination.k8s.io")).isFalse();
    assertThat(canI(operator, elsewhere, "update", "leases.coordination.k8s.io/cp-cacheplane-operator")).isFalse();
  }

  @Test
  void operatorWithWatchNamespacesGetsRolesThereAndNothingClusterWide() {
    String ns = k8s.createNamespace("helm-watch");
    String watched = k8s.createNamespace("helm-watch-team");
    String unwatched = k8s.createNamespace("helm-watch-other");
    install(ns, "cp", "--set-json", "operator.watchNamespaces=[\"" + ns + "\",\"" + watched + "\"]");
    String operator = "system:serviceaccount:" + ns + ":cp-cacheplane-operator";

    assertThat(k8s.client().rbac().clusterRoles().withName(ns + "-cp-cacheplane-operator").get()).isNull();
    assertThat(k8s.client().rbac().roles().inNamespace(watched).withName("cp-cacheplane-operator").get()).isNotNull();
    assertThat(canI(operator, watched, "create", "configmaps")).isTrue();
    assertThat(canI(operator, watched, "update", "cachepolicies.cacheplane.io", "--subresource=status")).isTrue();
    assertThat(canI(operator, unwatched, "create", "configmaps")).isFalse();
    assertThat(canI(operator, unwatched, "list", "cachepolicies.cacheplane.io")).isFalse();
    assertThat(canI(operator, null, "list", "cachepolicies.cacheplane.io")).as("cluster-wide").isFalse();
    Deployment deployment = k8s.client().apps().deployments().inNamespace(ns).withName("cp-cacheplane-operator").get();
    assertThat(env(single(deployment.getSpec().getTemplate().getSpec().getContainers())))
        .containsEntry("CACHEPLANE_OPERATOR_NAMESPACES", ns + "," + watched);
  }

  @Test
  void upgradeWithAChangedValueChangesTheDeploymentOnly() {
    String ns = k8s.createNamespace("helm-upgrade");
    install(ns, "cp");
    await("agent ReplicaSet").atMost(WAIT).until(() -> replicaSets(ns, "cacheplane-agent") == 1);
    long operatorGeneration = deployment(ns, "cp-cacheplane-operator").getMetadata().getGeneration();

    Cli.Result upgrade = k8s.helm("upgrade", "cp", chart, "-n", ns, "--skip-crds", "--reuse-values",
        "--set", "agent.replicas=3");
    assertThat(upgrade.exitCode()).as(upgrade.toString()).isZero();
    assertThat(upgrade.stdout()).contains("REVISION: 2");

    await("agent Deployment scaled to 3").atMost(WAIT)
        .until(() -> deployment(ns, "cp-cacheplane-agent").getSpec().getReplicas() == 3);
    assertThat(deployment(ns, "cp-cacheplane-operator").getMetadata().getGeneration())
        .as("the operator Deployment is untouched").isEqualTo(operatorGeneration);
    assertThat(replicaSets(ns, "cacheplane-agent")).as("scaling does not roll the pods (same template)").isEqualTo(1);

    Cli.Result history = k8s.helm("history", "cp", "-n", ns, "-o", "json");
    assertThat(history.exitCode()).as(history.toString()).isZero();
    assertThat(history.stdout()).contains("\"revision\":2").contains("\"status\":\"deployed\"");
  }

  @Test
  void uninstallKeepsTheCrdsAndThePolicies() {
    String ns = k8s.createNamespace("helm-uninstall");
    install(ns, "cp");
    Cli.Result apply = k8s.kubectl("apply", "-n", ns, "-f",
        k8s.tools().repoRoot().resolve("examples/cachepolicy-product-pages.yaml").toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();

    Cli.Result uninstall = k8s.helm("uninstall", "cp", "-n", ns);
    assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();

    await("the chart's objects are gone").atMost(WAIT).until(() ->
        k8s.client().apps().deployments().inNamespace(ns).list().getItems().isEmpty()
            && k8s.client().rbac().clusterRoles().withName(ns + "-cp-cacheplane-operator").get() == null
            && k8s.client().rbac().roles().inNamespace(ns).list().getItems().isEmpty()
            && k8s.client().serviceAccounts().inNamespace(ns).withName("cp-cacheplane-agent").get() == null);
    for (String crd : List.of("cachepolicies.cacheplane.io", "routepolicies.cacheplane.io")) {
      assertThat(k8s.client().apiextensions().v1().customResourceDefinitions().withName(crd).get())
          .as("CRD %s survives helm uninstall", crd).isNotNull();
    }
    GenericKubernetesResource policy = k8s.client().genericKubernetesResources(CACHE_POLICIES).inNamespace(ns)
        .withName("product-pages").get();
    assertThat(policy).as("the CachePolicy survives helm uninstall").isNotNull();
  }

  @Test
  void valuesThatBreakTheSchemaAreRefusedWithTheFieldNamed() {
    String ns = k8s.createNamespace("helm-schema");
    Map<List<String>, List<String>> cases = Map.of(
        List.of("--set", "agent.replicas=-1"), List.of("/agent/replicas", "minimum"),
        List.of("--set-string", "agent.replicas=two"), List.of("/agent/replicas", "want integer"),
        List.of("--set", "agent.replica=3"), List.of("/agent", "replica"),
        List.of("--set", "operator.image.pullPolicy=Sometimes"), List.of("/operator/image/pullPolicy"),
        List.of("--set", "agent.podLabels.app\\.kubernetes\\.io/instance=x"), List.of("/agent/podLabels"));
    for (Map.Entry<List<String>, List<String>> c : cases.entrySet()) {
      List<String> args = new ArrayList<>(List.of("install", "bad", chart, "-n", ns, "--skip-crds"));
      args.addAll(c.getKey());
      Cli.Result result = k8s.helm(args.toArray(String[]::new));
      assertThat(result.exitCode()).as(result.toString()).isNotZero();
      assertThat(result.stderr()).as(result.toString())
          .contains("values don't meet the specifications of the schema")
          .contains(c.getValue());
    }
    Cli.Result list = k8s.helm("list", "-n", ns, "-a", "-q");
    assertThat(list.stdout().strip()).as("no release was recorded: " + list).isEmpty();
    assertThat(k8s.client().apps().deployments().inNamespace(ns).list().getItems()).isEmpty();
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private static Cli.Result install(String ns, String release, String... extra) {
    List<String> args = new ArrayList<>(List.of("install", release, chart, "-n", ns, "--skip-crds"));
    args.addAll(Arrays.asList(extra));
    Cli.Result install = k8s.helm(args.toArray(String[]::new));
    assertThat(install.exitCode()).as(install.toString()).isZero();
    return install;
  }

  /**
   * {@code kubectl auth can-i} as {@code user} (impersonated by the admin): true for "yes" (exit 0), false for "no"
   * (exit 1); anything else fails the test. {@code ns == null} asks cluster-wide ({@code --all-namespaces}).
   */
  private static boolean canI(String user, String ns, String verb, String resource, String... extra) {
    List<String> args = new ArrayList<>(List.of("auth", "can-i", verb, resource, "--as=" + user));
    args.addAll(ns == null ? List.of("--all-namespaces") : List.of("-n", ns));
    args.addAll(Arrays.asList(extra));
    Cli.Result r = k8s.kubectl(args.toArray(String[]::new));
    assertThat(r.exitCode()).as(r.toString()).isIn(0, 1);
    assertThat(r.stdout().strip()).as(r.toString()).isEqualTo(r.exitCode() == 0 ? "yes" : "no");
    return r.exitCode() == 0;
  }

  private static List<Pod> pods(String ns) {
    return k8s.client().pods().inNamespace(ns).list().getItems();
  }

  private static Deployment deployment(String ns, String name) {
    return k8s.client().apps().deployments().inNamespace(ns).withName(name).get();
  }

  private static int replicaSets(String ns, String appName) {
    return k8s.client().apps().replicaSets().inNamespace(ns).withLabel(AGENT_NAME_LABEL, appName).list().getItems()
        .size();
  }

  /** {@code helm template <release> <chart> -n <ns> <args>}, parsed. */
  private static Rendered template(String release, String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("template", release, chart, "-n", ns));
    cmd.addAll(Arrays.asList(args));
    Cli.Result result = k8s.helm(cmd.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.toString()).isZero();
    List<HasMetadata> objects = k8s.client()
        .load(new ByteArrayInputStream(result.stdout().getBytes(StandardCharsets.UTF_8))).items();
    return new Rendered(result.stdout(), objects);
  }

  private record Rendered(String text, List<HasMetadata> objects) {

    List<String> kinds() {
      return objects.stream().map(HasMetadata::getKind).toList();
    }

    <T extends HasMetadata> T one(Class<T> type, String name) {
      List<T> matches = objects.stream().filter(type::isInstance).map(type::cast)
          .filter(o -> name.equals(o.getMetadata().getName())).toList();
      assertThat(matches).as("%s %s in the rendered chart (%s)", type.getSimpleName(), name, summary())
          .hasSize(1);
      return matches.get(0);
    }

    private String summary() {
      return objects.stream().map(o -> o.getKind() + "/" + o.getMetadata().getName()).collect(Collectors.joining(", "));
    }
  }

  private static void assertProbes(Container c, int managementPort) {
    assertThat(ports(c)).containsEntry("management", managementPort);
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("management");
  }

  private static void assertHardened(PodSpec pod, Container c) {
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    SecurityContext sc = c.getSecurityContext();
    assertThat(sc.getRunAsNonRoot()).isTrue();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(sc.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(sc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
    assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    // Every writable mount is an emptyDir (the root filesystem is read-only).
    for (VolumeMount m : c.getVolumeMounts()) {
      if (!Boolean.TRUE.equals(m.getReadOnly())) {
        assertThat(volume(pod, m.getName()).getEmptyDir()).as("writable mount %s is an emptyDir", m.getMountPath())
            .isNotNull();
      }
    }
    assertThat(mounts(c)).containsEntry("tmp", "/tmp");
  }

  private static <T> T single(List<T> list) {
    assertThat(list).hasSize(1);
    return list.get(0);
  }

  private static Map<String, String> env(Container c) {
    return c.getEnv().stream().filter(e -> e.getValue() != null)
        .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  private static Map<String, String> fieldRefs(Container c) {
    return c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getFieldRef() != null)
        .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getFieldRef().getFieldPath()));
  }

  private static Map<String, Integer> ports(Container c) {
    return c.getPorts().stream().collect(Collectors.toMap(p -> p.getName(), p -> p.getContainerPort()));
  }

  private static Map<String, String> mounts(Container c) {
    return c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getName, VolumeMount::getMountPath));
  }

  private static VolumeMount mountOf(Container c, String name) {
    return c.getVolumeMounts().stream().filter(m -> name.equals(m.getName())).findFirst().orElseThrow();
  }

  private static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> name.equals(v.getName())).findFirst()
        .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  /** Rules as "group/resource,resource: verb,verb" (sorted), to compare whole rule sets. */
  private static List<String> rules(List<PolicyRule> rules) {
    return rules.stream().map(rule -> {
      assertThat(rule.getApiGroups()).as("one API group per rule").hasSize(1);
      assertThat(rule.getResourceNames()).isNullOrEmpty();
      return rule.getApiGroups().get(0) + "/" + String.join(",", rule.getResources()) + ": "
          + rule.getVerbs().stream().sorted().collect(Collectors.joining(","));
    }).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(Path file) throws IOException {
    return Serialization.unmarshal(Files.readString(file), Map.class);
  }

  /** Dotted paths of the values: maps are walked into unless empty or {@link #OPAQUE}. */
  @SuppressWarnings("unchecked")
  private static List<String> leafPaths(Map<String, Object> values, String prefix) {
    List<String> paths = new ArrayList<>();
    values.forEach((key, value) -> {
      String path = prefix + key;
      if (value instanceof Map<?, ?> map && !map.isEmpty() && !OPAQUE.contains(key)) {
        paths.addAll(leafPaths((Map<String, Object>) map, path + "."));
      } else {
        paths.add(path);
      }
    });
    return paths;
  }

  @SuppressWarnings("unchecked")
  private static Object lookup(Map<String, Object> values, String path) {
    Object current = values;
    for (String part : path.split("\\.")) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return null;
      }
      current = ((Map<String, Object>) map).get(part);
      if (current == null) {
        return "null"; // present, explicitly null
      }
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static boolean schemaHas(Map<String, Object> schema, String path) {
    Map<String, Object> definitions = (Map<String, Object>) schema.get("definitions");
    Map<String, Object> node = schema;
    for (String part : path.split("\\.")) {
      node = resolve(node, definitions);
      Map<String, Object> properties = (Map<String, Object>) node.get("properties");
      if (properties == null || !properties.containsKey(part)) {
        return false;
      }
      node = (Map<String, Object>) properties.get(part);
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> resolve(Map<String, Object> node, Map<String, Object> definitions) {
    Object ref = node.get("$ref");
    if (ref instanceof String s && s.startsWith("#/definitions/")) {
      return resolve((Map<String, Object>) definitions.get(s.substring("#/definitions/".length())), definitions);
    }
    return node;
  }
}

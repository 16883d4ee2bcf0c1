package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.cacheplane.agent.Agent;
import io.cacheplane.agent.PolicyState;
import io.cacheplane.api.v1alpha1.CachePolicy;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import io.cacheplane.api.v1alpha1.PolicyStatus;
import io.cacheplane.api.v1alpha1.RoutePolicy;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The foundation scenario on a real kube-apiserver 1.20 with the Helm chart's RBAC in force: the chart is installed
 * (operator limited to the test namespace by {@code operator.watchNamespaces}); its pods stay Pending (no kubelet), so
 * the operator and two agents run in this JVM, each authenticated as the chart's ServiceAccount
 * ({@link ServiceAccountClients}). Everything else goes through kubectl, as a user would: apply {@code examples/},
 * {@code kubectl wait}, an invalid merge patch, a server-side apply by a second field manager (as Argo CD), a policy
 * in an unwatched namespace, and deletions garbage-collected by the real kube-controller-manager. The steps build on
 * each other, so they run in order; the garbage-collector steps run last (the controller-manager only discovers a
 * CRD's resources some 30-40 s after the CRD appeared). On a failure the operator/agent logs ({@link LogCapture}) and
 * the apiserver's log tail ({@link ControlPlaneExtension}) are printed.
 */
@E2E
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FoundationE2E {

  @RegisterExtension
  static final LogCapture LOGS = new LogCapture(5000);

  private static final Duration CONVERGE = Duration.ofSeconds(30);
  /** The controller-manager rediscovers resource types every 30 s: the first GC of a new CRD's dependents waits. */
  private static final Duration GARBAGE_COLLECTION = Duration.ofSeconds(90);
  private static final Duration POLL = Duration.ofMillis(200);
  private static final String RELEASE = "cp";
  private static final String OPERATOR_SA = RELEASE + "-cacheplane-operator";
  private static final String ARGO_CD = "argocd-controller";
  private static final String ENVELOPE_KEY = "envelope.yaml";
  /** The only labels an operator ConfigMap may carry (DESIGN.md, "Envelope and ConfigMap"). */
  private static final Set<String> CONTRACT_LABELS = Set.of(CacheplaneApi.LABEL_KIND, CacheplaneApi.LABEL_POLICY_UID,
      CacheplaneApi.LABEL_POLICY, CacheplaneApi.LABEL_MANAGED_BY);
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static LocalControlPlane k8s;
  private static String ns;
  private static final List<String> otherNamespaces = new ArrayList<>();
  private static boolean installed;
  private static InProcessCacheplane cacheplane;
  private static KubernetesClient operatorClient;
  private static KubernetesClient agentClient;
  private static String unwatched;
  private static String cacheRevision;

  @BeforeAll
  static void installTheChartAndStartTheOperatorAndTwoAgents(LocalControlPlane controlPlane) {
    k8s = controlPlane;
    ns = k8s.createNamespace("foundation");
    InProcessCacheplane.installChart(k8s, RELEASE, ns);
    installed = true;
    assertThat(k8s.client().rbac().roles().inNamespace(ns).withName(OPERATOR_SA).get())
        .as("watchNamespaces gives the operator a Role in the namespace").isNotNull();

    cacheplane = new InProcessCacheplane();
    InProcessCacheplane.ChartClients clients = cacheplane.chartClients(k8s, RELEASE, ns, 2, CONVERGE);
    operatorClient = clients.operator();
    KubernetesClient agentA = clients.agents().get(0);
    KubernetesClient agentB = clients.agents().get(1);
    agentClient = agentA;

    cacheplane.startOperator(operatorClient, Set.of(ns));
    cacheplane.startAgent(agentA, k8s.client(), "agent-a", ns);
    cacheplane.startAgent(agentB, k8s.client(), "agent-b", ns);
    await("both agents' ConfigMap informers synced").atMost(CONVERGE).pollInterval(POLL)
        .until(() -> cacheplane.agents().stream().allMatch(Agent::synced));
  }

  @AfterAll
  static void stopAndUninstall() {
    if (cacheplane != null) {
      cacheplane.close();
    }
    if (k8s == null) {
      return;
    }
    Cli.Result uninstall = installed ? k8s.helm("uninstall", RELEASE, "-n", ns) : null;
    List<String> namespaces = new ArrayList<>(otherNamespaces);
    if (ns != null) {
      namespaces.add(ns);
    }
    for (String n : namespaces) {
      k8s.client().namespaces().withName(n).delete();
    }
    if (uninstall != null) {
      assertThat(uninstall.exitCode()).as(uninstall.toString()).isZero();
    }
  }

  // ---- the scenario ---------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void examplesAppliedWithKubectlBecomeReadyAndArePublishedAsOwnedConfigMaps() {
    Cli.Result apply = k8s.kubectl("apply", "-n", ns, "-f", k8s.tools().repoRoot().resolve("examples").toString());
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    assertThat(apply.stdout()).as(apply.toString())
        .contains("cachepolicy.cacheplane.io/product-pages created")
        .contains("routepolicy.cacheplane.io/storefront created");

    Cli.Result wait = k8s.kubectl("wait", "-n", ns, "--for=condition=Ready", "cachepolicy/product-pages",
        "routepolicy/storefront", "--timeout=60s");
    assertThat(wait.exitCode()).as(wait.toString()).isZero();
    assertThat(wait.stdout()).as(wait.toString())
        .contains("cachepolicy.cacheplane.io/product-pages condition met")
        .contains("routepolicy.cacheplane.io/storefront condition met");

    for (HasMetadata policy : List.of(cachePolicy("product-pages"), routePolicy("storefront"))) {
      PolicyStatus status = status(policy);
      assertThat(status.getStableRevision()).as("stableRevision of %s", policy.getKind()).matches("[0-9a-f]{16}");
      assertThat(status.getObservedGeneration()).isEqualTo(policy.getMetadata().getGeneration());
      assertPublished(policy, status.getStableRevision());
    }
    cacheRevision = status(cachePolicy("product-pages")).getStableRevision();
  }

  @Test
  @Order(2)
  void bothAgentsApplyBothRevisionsAndServeMissThenHit() throws Exception {
    String routeRevision = status(routePolicy("storefront")).getStableRevision();
    for (Agent agent : cacheplane.agents()) {
      await(agent.settings().agentId() + " applies both revisions").atMost(CONVERGE).pollInterval(POLL)
          .untilAsserted(() -> {
            assertThat(applied(agent, "CachePolicy", "product-pages")).isEqualTo(cacheRevision);
            assertThat(applied(agent, "RoutePolicy", "storefront")).isEqualTo(routeRevision);
          });
    }
    long upstreamBefore = productRequests();
    for (Agent agent : cacheplane.agents()) {
      HttpResponse<String> first = get(agent, "/api/products?page=1");
      assertThat(first.statusCode()).as(describe(first)).isEqualTo(200);
      assertThat(first.headers().firstValue("X-Cache")).as(describe(first)).hasValue("MISS");
      HttpResponse<String> second = get(agent, "/api/products?page=1");
      assertThat(second.statusCode()).as(describe(second)).isEqualTo(200);
      assertThat(second.headers().firstValue("X-Cache")).as(describe(second)).hasValue("HIT");
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(get(agent, "/api/cart").headers().firstValue("X-Cache")).as("uncached route").hasValue("BYPASS");
    }
    assertThat(productRequests() - upstreamBefore).as("one upstream call per agent for the cached key").isEqualTo(2);
  }

  @Test
  @Order(3)
  void anInvalidChangeIsRefusedWithTheFieldNamedAndAgentsKeepTheOldRevision() throws Exception {
    CachePolicy before = cachePolicy("product-pages");
    String configMapVersion = configMap("cachepolicy-product-pages").getMetadata().getResourceVersion();

    // Accepted by the 1.20 schema (no CEL there), refused by the operator.
    Cli.Result patch = k8s.kubectl("patch", "-n", ns, "cachepolicy/product-pages", "--type", "merge",
        "-p", "{\"spec\":{\"cache\":{\"maximumWeight\":\"64Mi\"}}}");
    assertThat(patch.exitCode()).as(patch.toString()).isZero();
    long generation = before.getMetadata().getGeneration() + 1;

    await("Ready=False, reason InvalidSpec").atMost(CONVERGE).pollInterval(POLL).untilAsserted(() -> {
      PolicyStatus status = status(cachePolicy("product-pages"));
      assertThat(status.getObservedGeneration()).isEqualTo(generation);
      assertThat(ready(status)).hasValueSatisfying(c -> {
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo("InvalidSpec");
        assertThat(c.getMessage()).contains("spec.cache.maximumWeight");
      });
    });
    assertThat(status(cachePolicy("product-pages")).getStableRevision()).as("stable revision kept")
        .isEqualTo(cacheRevision);
    assertThat(configMap("cachepolicy-product-pages").getMetadata().getResourceVersion())
        .as("an invalid spec never reaches the ConfigMap").isEqualTo(configMapVersion);
    for (Agent agent : cacheplane.agents()) {
      assertThat(applied(agent, "CachePolicy", "product-pages")).isEqualTo(cacheRevision);
      assertThat(get(agent, "/api/products?page=1").headers().firstValue("X-Cache")).hasValue("HIT");
    }
  }

  @Test
  @Order(4)
  void serverSideApplyByASecondFieldManagerNeverConflictsWithTheOperator() {
    Cli.Result created = applyAsArgoCd(ssaPolicy(500, null));
    assertThat(created.stdout()).as(created.toString())
        .contains("cachepolicy.cacheplane.io/ssa-pages serverside-applied");
    String first = awaitReadyRevision("ssa-pages", null);

    // A new size, and a field the operator could have defaulted (maxEntrySize, default 1Mi) set to a non-default.
    Cli.Result changed = applyAsArgoCd(ssaPolicy(600, "512Ki"));
    assertThat(changed.output()).as(changed.toString()).doesNotContainIgnoringCase("conflict");
    String second = awaitReadyRevision("ssa-pages", first);
    assertPublished(cachePolicy("ssa-pages"), second);
    for (Agent agent : cacheplane.agents()) {
      await(agent.settings().agentId() + " applies " + second).atMost(CONVERGE).pollInterval(POLL)
          .untilAsserted(() -> {
            assertThat(applied(agent, "CachePolicy", "ssa-pages")).isEqualTo(second);
            assertThat(agent.cache("ssa-pages").maximum()).isEqualTo(600L);
          });
    }

    CachePolicy policy = cachePolicy("ssa-pages");
    List<ManagedFieldsEntry> managed = policy.getMetadata().getManagedFields();
    String summary = managed.stream()
        .map(m -> m.getManager() + "/" + m.getOperation() + " " + fields(m).keySet()).collect(Collectors.joining("; "));
    System.err.println("[e2e] managedFields of CachePolicy ssa-pages: " + summary);
    assertThat(managed).as("managedFields: " + summary)
        .filteredOn(m -> fields(m).containsKey("f:spec"))
        .extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(ARGO_CD, "Apply"));
    assertThat(managed).as("the operator's status writes are tracked too: " + summary)
        .anySatisfy(m -> {
          assertThat(m.getManager()).isNotEqualTo(ARGO_CD);
          assertThat(fields(m)).containsKey("f:status").doesNotContainKey("f:spec");
        });

    // Re-applying the same manifest is a no-op for the operator: no new ConfigMap write.
    String configMapVersion = configMap("cachepolicy-ssa-pages").getMetadata().getResourceVersion();
    long sequence = status(policy).getSequence();
    Cli.Result again = applyAsArgoCd(ssaPolicy(600, "512Ki"));
    assertThat(again.output()).as(again.toString()).doesNotContainIgnoringCase("conflict");
    await("the ConfigMap stays unchanged after a no-op apply").during(Duration.ofSeconds(4))
        .atMost(Duration.ofSeconds(10)).pollInterval(POLL)
        .until(() -> configMapVersion.equals(configMap("cachepolicy-ssa-pages").getMetadata().getResourceVersion()));
    CachePolicy after = cachePolicy("ssa-pages");
    assertThat(after.getMetadata().getGeneration()).isEqualTo(policy.getMetadata().getGeneration());
    assertThat(status(after).getSequence()).isEqualTo(sequence);
    assertThat(status(after).getStableRevision()).isEqualTo(second);
  }

  @Test
  @Order(5)
  void aPolicyInANamespaceTheOperatorDoesNotWatchIsIgnored() {
    unwatched = k8s.createNamespace("foundation-unwatched");
    otherNamespaces.add(unwatched);
    String manifest = ssaPolicy(100, null).replace("name: ssa-pages", "name: twin");
    for (String n : List.of(unwatched, ns)) {
      Cli.Result apply = k8s.kubectlWithInput(manifest, "apply", "-n", n, "-f", "-");
      assertThat(apply.exitCode()).as(apply.toString()).isZero();
    }
    // The same policy, applied to the watched namespace after the unwatched one, is reconciled: the operator had its
    // chance to see the other one.
    awaitReadyRevision("twin", null);
    assertThat(configMap("cachepolicy-twin")).isNotNull();

    CachePolicy ignored = k8s.client().resources(CachePolicy.class).inNamespace(unwatched).withName("twin").get();
    assertThat(ignored).isNotNull();
    assertThat(ignored.getStatus()).as("no status in an unwatched namespace").isNull();
    assertThat(k8s.client().configMaps().inNamespace(unwatched).list().getItems())
        .extracting(c -> c.getMetadata().getName())
        .as("no ConfigMap in an unwatched namespace (only the apiserver's kube-root-ca.crt, if any)")
        .doesNotContain("cachepolicy-twin")
        .allMatch(name -> name.equals("kube-root-ca.crt"));
    assertThat(LOGS.lines(l -> l.contains(unwatched))).as("the operator never mentions " + unwatched).isEmpty();
  }

  @Test
  @Order(6)
  void deletingTheCachePolicyRemovesItsConfigMapAndTheAgentsBypassTheCache() throws Exception {
    Cli.Result delete = k8s.kubectl("delete", "-n", ns, "cachepolicy/product-pages");
    assertThat(delete.exitCode()).as(delete.toString()).isZero();
    await("ConfigMap cachepolicy-product-pages deleted").atMost(GARBAGE_COLLECTION).pollInterval(POLL)
        .until(() -> configMap("cachepolicy-product-pages") == null);
    List<String> byOperator = LOGS.lines(l -> l.contains("deleted ConfigMap " + ns + "/cachepolicy-product-pages"));
    System.err.println("[e2e] cachepolicy-product-pages was deleted by "
        + (byOperator.isEmpty() ? "the garbage collector (the operator did not log a deletion)" : "the operator's"
        + " orphan collector: " + byOperator));

    for (Agent agent : cacheplane.agents()) {
      await(agent.settings().agentId() + " drops product-pages").atMost(CONVERGE).pollInterval(POLL)
          .untilAsserted(() -> assertThat(applied(agent, "CachePolicy", "product-pages")).isNull());
      assertThat(get(agent, "/api/products?page=1").headers().firstValue("X-Cache"))
          .as("the route's CachePolicy is gone: served uncached").hasValue("BYPASS");
    }
    await("RoutePolicy storefront: Ready=False, CachePolicyNotFound").atMost(CONVERGE).pollInterval(POLL)
        .untilAsserted(() -> assertThat(ready(status(routePolicy("storefront")))).hasValueSatisfying(c -> {
          assertThat(c.getStatus()).isEqualTo("False");
          assertThat(c.getReason()).isEqualTo("CachePolicyNotFound");
        }));
  }

  @Test
  @Order(7)
  void theChartsRbacSufficedNoRequestWasForbidden() {
    assertThat(cacheplane.operator().isHealthy()).as("operator healthy (all informers)").isTrue();
    assertThat(cacheplane.agents()).allMatch(Agent::synced);
    assertThat(LOGS.lines(l -> l.toLowerCase(Locale.ROOT).contains("forbidden")))
        .as("no request of the operator or an agent was forbidden").isEmpty();

    // ... and the clients really are the ServiceAccounts, limited by the chart's Roles (not the admin).
    assertForbidden("agent creates a ConfigMap", () -> agentClient.configMaps().inNamespace(ns).resource(
        new ConfigMapBuilder().withNewMetadata().withName("cachepolicy-forged").endMetadata().build()).create());
    assertForbidden("agent lists Secrets", () -> agentClient.secrets().inNamespace(ns).list());
    assertForbidden("agent reads a CachePolicy",
        () -> agentClient.resources(CachePolicy.class).inNamespace(ns).withName("ssa-pages").get());
    assertForbidden("operator patches a policy (not its status)",
        () -> operatorClient.resources(CachePolicy.class).inNamespace(ns).withName("ssa-pages")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"forged\":\"true\"}}}"));
    assertForbidden("operator lists CachePolicies of an unwatched namespace",
        () -> operatorClient.resources(CachePolicy.class).inNamespace(unwatched).list());
    assertForbidden("operator lists Secrets", () -> operatorClient.secrets().inNamespace(ns).list());
  }

  private static void assertForbidden(String what, ThrowingCallable call) {
    assertThatThrownBy(call).as(what).isInstanceOfSatisfying(KubernetesClientException.class,
        e -> assertThat(e.getCode()).as(what + ": " + e.getMessage()).isEqualTo(403));
  }

  @Test
  @Order(8)
  void theGarbageCollectorDeletesOwnedConfigMapsWithoutTheOperator() {
    // A policy published by the operator (owner reference written by the operator) ...
    Cli.Result apply = k8s.kubectlWithInput(ssaPolicy(50, null).replace("name: ssa-pages", "name: gc-probe"),
        "apply", "-n", ns, "-f", "-");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    awaitReadyRevision("gc-probe", null);
    assertThat(configMap("cachepolicy-gc-probe")).isNotNull();

    // ... then no operator at all: nothing but the kube-controller-manager can delete a ConfigMap now.
    cacheplane.stopOperator();
    assertThat(cacheplane.operator().isRunning()).isFalse();
    CachePolicy owner = cachePolicy("gc-probe");
    ConfigMap handMade = new ConfigMapBuilder()
        .withNewMetadata().withName("gc-probe-dependent").withNamespace(ns)
          .addNewOwnerReference().withApiVersion(CacheplaneApi.API_VERSION).withKind("CachePolicy")
            .withName("gc-probe").withUid(owner.getMetadata().getUid()).endOwnerReference()
        .endMetadata()
        .addToData("note", "owned by CachePolicy gc-probe, made while no operator runs")
        .build();
    k8s.client().configMaps().inNamespace(ns).resource(handMade).create();

    Cli.Result delete = k8s.kubectl("delete", "-n", ns, "cachepolicy/gc-probe");
    assertThat(delete.exitCode()).as(delete.toString()).isZero();
    long start = System.nanoTime();
    await("the garbage collector deletes both dependents of gc-probe").atMost(GARBAGE_COLLECTION).pollInterval(POLL)
        .until(() -> configMap("gc-probe-dependent") == null && configMap("cachepolicy-gc-probe") == null);
    System.err.printf("[e2e] garbage collection of gc-probe's ConfigMaps took %d ms%n",
        Duration.ofNanos(System.nanoTime() - start).toMillis());
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /**
   * The policy's ConfigMap: named after it, labelled with the contract's labels only, owned by the policy, and its
   * envelope carries {@code revision} as the stable revision.
   */
  private static void assertPublished(HasMetadata policy, String revision) {
    String kind = policy.getKind();
    String name = policy.getMetadata().getName();
    String uid = policy.getMetadata().getUid();
    ConfigMap cm = configMap(kind.toLowerCase(Locale.ROOT) + "-" + name);
    assertThat(cm).as("ConfigMap of %s %s", kind, name).isNotNull();
    assertThat(cm.getMetadata().getLabels()).as("labels of %s", cm.getMetadata().getName())
        .containsOnlyKeys(CONTRACT_LABELS)
        .containsEntry(CacheplaneApi.LABEL_KIND, kind)
        .containsEntry(CacheplaneApi.LABEL_POLICY_UID, uid)
        .containsEntry(CacheplaneApi.LABEL_POLICY, name)
        .containsEntry(CacheplaneApi.LABEL_MANAGED_BY, CacheplaneApi.MANAGED_BY);
    List<OwnerReference> owners = cm.getMetadata().getOwnerReferences();
    assertThat(owners).as("ownerReferences of %s", cm.getMetadata().getName()).hasSize(1);
    assertThat(owners.get(0).getApiVersion()).isEqualTo(CacheplaneApi.API_VERSION);
    assertThat(owners.get(0).getKind()).isEqualTo(kind);
    assertThat(owners.get(0).getName()).isEqualTo(name);
    assertThat(owners.get(0).getUid()).isEqualTo(uid);
    assertThat(owners.get(0).getController()).as("the policy is the controller").isTrue();
    // blockOwnerDeletion=true would need update on <policies>/finalizers (OwnerReferencesPermissionEnforcement), which
    // the chart does not grant.
    assertThat(owners.get(0).getBlockOwnerDeletion()).as("blockOwnerDeletion").isNotEqualTo(Boolean.TRUE);
    assertThat(cm.getData()).containsOnlyKeys(ENVELOPE_KEY);
    Map<String, Object> envelope = yaml(cm.getData().get(ENVELOPE_KEY));
    assertThat(envelope).containsEntry("schemaVersion", 1).containsEntry("kind", kind).containsEntry("name", name)
        .containsEntry("uid", uid);
    assertThat(envelope.get("stable")).as("stable of the envelope of %s", cm.getMetadata().getName())
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP).containsEntry("revision", revision);
  }

  /** A CachePolicy {@code ssa-pages} selecting the chart's agents. */
  private static String ssaPolicy(int maximumSize, String maxEntrySize) {
    return """
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: ssa-pages
        spec:
          agentSelector:
            matchLabels:
              app.kubernetes.io/name: cacheplane-agent
          cache:
            maximumSize: %d
        %s    expireAfterWrite: 1m
          key:
            queryParameters: [page]
          rollout:
            steps:
            - setWeight: 100
        """.formatted(maximumSize, maxEntrySize == null ? "" : "    maxEntrySize: " + maxEntrySize + "\n");
  }

  private static Cli.Result applyAsArgoCd(String manifest) {
    Cli.Result apply = k8s.kubectlWithInput(manifest, "apply", "--server-side", "--field-manager=" + ARGO_CD,
        "-n", ns, "-f", "-");
    assertThat(apply.exitCode()).as(apply.toString()).isZero();
    return apply;
  }

  /** Waits for Ready=True of the current generation with a stable revision other than {@code previous}. */
  private static String awaitReadyRevision(String name, String previous) {
    await(name + " Ready with a new revision").atMost(CONVERGE).pollInterval(POLL).untilAsserted(() -> {
      CachePolicy p = cachePolicy(name);
      PolicyStatus status = status(p);
      assertThat(status.getObservedGeneration()).isEqualTo(p.getMetadata().getGeneration());
      assertThat(ready(status)).hasValueSatisfying(c -> assertThat(c.getStatus()).isEqualTo("True"));
      assertThat(status.getStableRevision()).matches("[0-9a-f]{16}").isNotEqualTo(previous);
    });
    return status(cachePolicy(name)).getStableRevision();
  }

  private static CachePolicy cachePolicy(String name) {
    return k8s.client().resources(CachePolicy.class).inNamespace(ns).withName(name).get();
  }

  private static RoutePolicy routePolicy(String name) {
    return k8s.client().resources(RoutePolicy.class).inNamespace(ns).withName(name).get();
  }

  private static ConfigMap configMap(String name) {
    return k8s.client().configMaps().inNamespace(ns).withName(name).get();
  }

  private static PolicyStatus status(HasMetadata policy) {
    assertThat(policy).as("policy").isNotNull();
    PolicyStatus status = policy instanceof CachePolicy c ? c.getStatus() : ((RoutePolicy) policy).getStatus();
    assertThat(status).as("status of %s %s", policy.getKind(), policy.getMetadata().getName()).isNotNull();
    return status;
  }

  private static Optional<Condition> ready(PolicyStatus status) {
    if (status == null || status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream().filter(c -> "Ready".equals(c.getType())).findFirst();
  }

  private static String applied(Agent agent, String kind, String name) {
    return agent.policies().stream().filter(p -> kind.equals(p.kind()) && name.equals(p.name()))
        .filter(p -> p.state() == PolicyState.State.Applied)
        .map(PolicyState::appliedRevision).findFirst().orElse(null);
  }

  private static long productRequests() {
    return cacheplane.upstream().requests("products") + cacheplane.upstream().requests("products-v2");
  }

  private static HttpResponse<String> get(Agent agent, String pathAndQuery) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + agent.trafficPort() + pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String describe(HttpResponse<String> r) {
    return r.request().uri() + " -> " + r.statusCode() + " " + r.headers().map() + " " + r.body();
  }

  private static Map<String, Object> fields(ManagedFieldsEntry m) {
    return m.getFieldsV1() == null || m.getFieldsV1().getAdditionalProperties() == null ? Map.of()
        : m.getFieldsV1().getAdditionalProperties();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yaml(String text) {
    return Serialization.unmarshal(text, Map.class);
  }
}

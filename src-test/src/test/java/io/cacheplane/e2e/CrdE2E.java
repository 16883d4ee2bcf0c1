package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The committed CRDs ({@code crds/}) on a real kube-apiserver 1.20: they apply idempotently, become Established,
 * publish their field descriptions ({@code kubectl explain}), and the server itself refuses invalid policies with the
 * field named — with and without {@code --dry-run=server}. The examples pass server-side validation.
 */
@E2E
class CrdE2E {

  private static final List<String> CRDS = List.of("cachepolicies.cacheplane.io", "routepolicies.cacheplane.io");
  private static final ResourceDefinitionContext CACHE_POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("cacheplane.io").withVersion("v1alpha1").withPlural("cachepolicies").withKind("CachePolicy")
      .withNamespaced(true).build();

  private static LocalControlPlane k8s;

  @BeforeAll
  static void controlPlane(LocalControlPlane controlPlane) {
    k8s = controlPlane;
  }

  private static String crdsDir() {
    return k8s.tools().repoRoot().resolve("crds").toString();
  }

  @Test
  void crdsApplyIdempotentlyAndBecomeEstablished() {
    Cli.Result first = k8s.kubectl("apply", "-f", crdsDir());
    assertThat(first.exitCode()).as(first.toString()).isZero();
    Map<String, String> versionsAfterFirst = resourceVersions();

    Cli.Result second = k8s.kubectl("apply", "-f", crdsDir());
    assertThat(second.exitCode()).as(second.toString()).isZero();
    for (String crd : CRDS) {
      assertThat(second.stdout()).as(second.toString()).contains("customresourcedefinition.apiextensions.k8s.io/" + crd);
    }
    // Applying the same files again changes nothing on the server (kubectl may still print "configured": the
    // generated CRDs carry "priority: 0", which the server omits, so kubectl always sends that no-op patch).
    assertThat(resourceVersions()).as("resourceVersion/generation after a second apply").isEqualTo(versionsAfterFirst);
    Cli.Result diff = k8s.kubectl("diff", "-f", crdsDir());
    assertThat(diff.exitCode()).as("kubectl diff after apply: " + diff).isZero();

    Cli.Result wait = k8s.kubectl("wait", "--for=condition=Established", "--timeout=60s",
        "crd/" + CRDS.get(0), "crd/" + CRDS.get(1));
    assertThat(wait.exitCode()).as(wait.toString()).isZero();
    assertThat(wait.stdout()).contains("condition met");
  }

  private static Map<String, String> resourceVersions() {
    return Map.of(
        CRDS.get(0), version(CRDS.get(0)),
        CRDS.get(1), version(CRDS.get(1)));
  }

  private static String version(String crd) {
    CustomResourceDefinition live = k8s.client().apiextensions().v1().customResourceDefinitions().withName(crd).get();
    assertThat(live).as("CRD %s", crd).isNotNull();
    return live.getMetadata().getResourceVersion() + "/" + live.getMetadata().getGeneration();
  }

  @Test
  void explainPrintsTheFieldDescriptionsOfTheCrd() throws IOException {
    JSONSchemaProps cache = committedCrd("cachepolicies.cacheplane.io").getSpec().getVersions().get(0).getSchema()
        .getOpenAPIV3Schema().getProperties().get("spec").getProperties().get("cache");
    // The published OpenAPI document follows the CRD a moment after it is Established.
    Cli.Result[] explain = new Cli.Result[1];
    await("kubectl explain cachepolicy.spec.cache").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
        .until(() -> (explain[0] = k8s.kubectl("explain", "cachepolicy.spec.cache")).ok()
            && explain[0].stdout().contains("maximumSize"));
    String out = squash(explain[0].stdout());
    assertThat(out).as(explain[0].toString())
        .contains("KIND: CachePolicy")
        .contains("VERSION: cacheplane.io/v1alpha1")
        .contains(squash(cache.getDescription()));
    for (String field : List.of("maximumSize", "maximumWeight", "maxEntrySize", "expireAfterWrite",
        "expireAfterAccess")) {
      assertThat(out).as("description of " + field).contains(squash(cache.getProperties().get(field).getDescription()));
    }
  }

  private static CustomResourceDefinition committedCrd(String name) throws IOException {
    Path file = k8s.tools().repoRoot().resolve("crds").resolve(name + ".yaml");
    return Serialization.unmarshal(Files.readString(file), CustomResourceDefinition.class);
  }

  /** Collapses runs of whitespace (kubectl wraps and indents descriptions). */
  private static String squash(String s) {
    return s.replaceAll("\\s+", " ").strip();
  }

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of("negative maximumSize", "cache:\n    maximumSize: -5\n",
            List.of("spec.cache.maximumSize", "Invalid value: -5", "greater than or equal to 1")),
        Arguments.of("unknown method", "cacheable:\n    methods: [GET, FETCH]\n",
            List.of("spec.cacheable.methods", "Unsupported value: \"FETCH\"", "\"GET\"")),
        Arguments.of("malformed duration", "cache:\n    expireAfterWrite: 5 minutes\n",
            List.of("spec.cache.expireAfterWrite", "Invalid value: \"5 minutes\"", "should match")),
        Arguments.of("malformed bake duration", "rollout:\n    steps:\n    - pause: {duration: soon}\n",
            List.of("spec.rollout.steps", "pause.duration", "Invalid value: \"soon\"")),
        Arguments.of("weight above 100", "rollout:\n    steps:\n    - setWeight: 101\n",
            List.of("spec.rollout.steps", "setWeight", "less than or equal to 100")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void theServerRefusesAnInvalidCachePolicyWithTheFieldNamed(String what, String specBody, List<String> expected) {
    String ns = k8s.createNamespace("crd-invalid");
    String manifest = """
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: invalid
        spec:
          %s""".formatted(specBody);

    for (List<String> mode : List.of(List.of("--dry-run=server"), List.<String>of())) {
      String[] args = Stream.concat(Stream.of("apply", "-n", ns, "-f", "-"), mode.stream()).toArray(String[]::new);
      Cli.Result result = k8s.kubectlWithInput(manifest, args);
      assertThat(result.exitCode()).as(what + " " + mode + ": " + result).isEqualTo(1);
      assertThat(result.stderr()).as(what + " " + mode + ": " + result)
          .contains("The CachePolicy \"invalid\" is invalid")
          .contains(expected);
    }
    GenericKubernetesResource stored = k8s.client().genericKubernetesResources(CACHE_POLICIES).inNamespace(ns)
        .withName("invalid").get();
    assertThat(stored).as("a refused policy is not stored").isNull();
  }

  @Test
  void theExamplesPassServerSideValidation() {
    String ns = k8s.createNamespace("crd-examples");
    Cli.Result dryRun = k8s.kubectl("apply", "--dry-run=server", "-n", ns, "-f",
        k8s.tools().repoRoot().resolve("examples").toString());
    assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
    assertThat(dryRun.stdout()).as(dryRun.toString())
        .contains("cachepolicy.cacheplane.io/product-pages created (server dry run)")
        .contains("routepolicy.cacheplane.io/storefront created (server dry run)");
    assertThat(k8s.client().genericKubernetesResources(CACHE_POLICIES).inNamespace(ns).list().getItems())
        .as("a dry run stores nothing").isEmpty();
  }
}

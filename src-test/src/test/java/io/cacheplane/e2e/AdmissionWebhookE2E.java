package io.cacheplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.cacheplane.operator.admission.AdmissionServer;
import io.cacheplane.operator.admission.AdmissionSettings;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator's validating admission webhook ({@link AdmissionServer}) behind a real kube-apiserver 1.20: the server
 * runs in this JVM on 127.0.0.1 with a certificate signed by a CA made here (openssl), and a
 * ValidatingWebhookConfiguration shaped like the chart's (rules: cacheplane.io/v1alpha1 cachepolicies and routepolicies,
 * CREATE and UPDATE; failurePolicy Fail; sideEffects None) points the apiserver at it by URL. It is limited to this
 * class's namespace (namespaceSelector), so other E2E classes never meet it, and deleted at the end.
 * <p>Proves: cross-field errors the 1.20 schema cannot express are refused at {@code kubectl apply} with the field
 * path, every violation listed, dry runs included; a valid policy is admitted; unrelated writes (ConfigMaps) never
 * reach the webhook; with the webhook down, policy writes are refused (failurePolicy Fail) and other writes are not.
 */
@E2E
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AdmissionWebhookE2E {

  private static final String WEBHOOK = "validate.cacheplane.io";
  private static final ResourceDefinitionContext CACHE_POLICIES = new ResourceDefinitionContext.Builder()
      .withGroup("cacheplane.io").withVersion("v1alpha1").withPlural("cachepolicies").withKind("CachePolicy")
      .withNamespaced(true).build();

  private static LocalControlPlane k8s;
  private static AdmissionServer server;
  private static String namespace;
  private static String configName;

  @BeforeAll
  static void webhook(LocalControlPlane controlPlane, @TempDir Path dir) throws Exception {
    k8s = controlPlane;
    Path ca = Pki.create(dir);
    server = AdmissionServer.start(AdmissionSettings.of("127.0.0.1", 0, dir.resolve("tls.crt"),
        dir.resolve("tls.key")), null);

    String suffix = UUID.randomUUID().toString().substring(0, 8);
    namespace = "admission-" + suffix;
    configName = "cacheplane-e2e-" + suffix;
    k8s.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
        .withLabels(Map.of("cacheplane-e2e-webhook", suffix)).endMetadata().build()).create();
    ValidatingWebhookConfiguration config = new ValidatingWebhookConfigurationBuilder()
        .withNewMetadata().withName(configName).endMetadata()
        .addNewWebhook()
          .withName(WEBHOOK)
          .withNewClientConfig()
            .withUrl("https://127.0.0.1:" + server.port() + AdmissionServer.PATH)
            .withCaBundle(Base64.getEncoder().encodeToString(Files.readAllBytes(ca)))
          .endClientConfig()
          .addNewRule()
            .withApiGroups("cacheplane.io").withApiVersions("v1alpha1")
            .withResources("cachepolicies", "routepolicies").withOperations("CREATE", "UPDATE")
            .withScope("Namespaced")
          .endRule()
          .withNewNamespaceSelector().withMatchLabels(Map.of("cacheplane-e2e-webhook", suffix)).endNamespaceSelector()
          .withFailurePolicy("Fail")
          .withSideEffects("None")
          .withAdmissionReviewVersions("v1", "v1beta1")
          .withTimeoutSeconds(5)
        .endWebhook()
        .build();
    k8s.client().admissionRegistration().v1().validatingWebhookConfigurations().resource(config).create();
    // The apiserver picks the configuration up from its informer a moment later.
    Cli.Result[] last = new Cli.Result[1];
    try {
      await("the apiserver calls the webhook").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
          .until(() -> (last[0] = apply(policy("probe", "cache: {maximumSize: 1, maximumWeight: 1Mi}"),
              "--dry-run=server")).exitCode() == 1 && server.reviews() > 0);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the webhook never answered; last kubectl apply: " + last[0], e);
    }
  }

  @AfterAll
  static void cleanUp() {
    try {
      if (configName != null) {
        k8s.client().admissionRegistration().v1().validatingWebhookConfigurations().withName(configName).delete();
      }
      if (namespace != null) {
        k8s.client().namespaces().withName(namespace).delete();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  @Test
  void refusesACrossFieldErrorWithTheFieldPath() {
    for (List<String> mode : List.of(List.of("--dry-run=server"), List.<String>of())) {
      long before = server.reviews();
      Cli.Result result = apply(policy("both-bounds", "cache: {maximumSize: 100, maximumWeight: 10Mi}"),
          mode.toArray(String[]::new));

      assertThat(result.exitCode()).as(mode + ": " + result).isEqualTo(1);
      // A 422 Invalid with causes: kubectl prints it as it prints the apiserver's own validation errors.
      assertThat(result.stderr()).as(mode + ": " + result)
          .contains("The CachePolicy \"both-bounds\" is invalid")
          .contains("spec.cache.maximumWeight: maximumSize and maximumWeight are mutually exclusive");
      assertThat(server.reviews()).as("answered by the webhook (the 1.20 schema has no such rule)")
          .isEqualTo(before + 1);
    }
    assertThat(k8s.client().genericKubernetesResources(CACHE_POLICIES).inNamespace(namespace).withName("both-bounds")
        .get()).as("a refused policy is not stored").isNull();
  }

  @Test
  void listsEveryViolation() {
    Cli.Result result = apply(policy("three-errors", """
        cache: {maximumSize: 100, maximumWeight: 10Mi}
          scopeHeader: X-Tenant
          key: {headers: [Accept, accept]}"""));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.stderr()).as(result.toString())
        .contains("The CachePolicy \"three-errors\" is invalid")
        .contains("spec.cache.maximumWeight: maximumSize and maximumWeight are mutually exclusive")
        .contains("spec.key.headers[1]: duplicate header")
        .contains("spec.scopeHeader: is only allowed with scope Tenant or User");
  }

  @Test
  void admitsAValidPolicyAndNeverSeesUnrelatedWrites() {
    long before = server.reviews();
    Cli.Result valid = apply(policy("valid", "cache: {maximumSize: 100, expireAfterWrite: 5m}"));
    assertThat(valid.exitCode()).as(valid.toString()).isZero();
    GenericKubernetesResource stored = k8s.client().genericKubernetesResources(CACHE_POLICIES).inNamespace(namespace)
        .withName("valid").get();
    assertThat(stored).isNotNull();
    assertThat(server.reviews()).as("the create was reviewed").isEqualTo(before + 1);

    long afterPolicy = server.reviews();
    var configMaps = k8s.client().configMaps().inNamespace(namespace);
    configMaps.resource(new ConfigMapBuilder().withNewMetadata().withName("unrelated").endMetadata()
        .addToData("a", "1").build()).create();
    configMaps.withName("unrelated").edit(cm -> new ConfigMapBuilder(cm).addToData("b", "2").build());
    configMaps.withName("unrelated").delete();
    // Admission is synchronous: once the writes returned, any call to the webhook has happened.
    assertThat(server.reviews()).as("ConfigMap writes reach the webhook").isEqualTo(afterPolicy);
  }

  /**
   * The chart's own certificate (webhook.enabled, no cert-manager): the Secret's CA is the webhook's caBundle, it signs
   * a serving certificate for the Service's DNS name, and an upgrade keeps all of it (Helm lookup) instead of
   * generating a new pair. The release's webhook selects no namespace, so it never intercepts a write here.
   */
  @Test
  void theChartKeepsItsGeneratedCertificateAcrossUpgrades(@TempDir Path dir) throws Exception {
    String ns = k8s.createNamespace("webhook-chart");
    String chart = k8s.tools().chart().toString();
    String secretName = "cpw-cacheplane-webhook-tls";
    String webhookName = ns + "-cpw-cacheplane-webhook";
    try {
      k8s.helm("install", "cpw", chart, "-n", ns, "--skip-crds", "--set", "webhook.enabled=true",
          "--set", "agent.enabled=false", "--set-json",
          "webhook.namespaceSelector={\"matchLabels\":{\"cacheplane-e2e-webhook\":\"no-such-namespace\"}}").orThrow();
      var secret = k8s.client().secrets().inNamespace(ns).withName(secretName).get();
      assertThat(secret).as("Secret " + secretName).isNotNull();
      Map<String, String> data = secret.getData();
      ValidatingWebhookConfiguration config = k8s.client().admissionRegistration().v1()
          .validatingWebhookConfigurations().withName(webhookName).get();
      assertThat(config).as("ValidatingWebhookConfiguration " + webhookName).isNotNull();
      var webhook = config.getWebhooks().get(0);
      assertThat(webhook.getClientConfig().getCaBundle()).isEqualTo(data.get("ca.crt"));
      assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
      assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
        assertThat(rule.getResources()).containsExactly("cachepolicies", "routepolicies");
        assertThat(rule.getOperations()).containsExactly("CREATE", "UPDATE");
      });

      Files.write(dir.resolve("ca.crt"), Base64.getDecoder().decode(data.get("ca.crt")));
      Files.write(dir.resolve("tls.crt"), Base64.getDecoder().decode(data.get("tls.crt")));
      Cli.Result verify = Cli.run(List.of("openssl", "verify", "-CAfile", "ca.crt", "tls.crt"), dir, Map.of(), null,
          Duration.ofSeconds(30));
      assertThat(verify.exitCode()).as(verify.toString()).isZero();
      String host = "cpw-cacheplane-webhook." + ns + ".svc";
      Cli.Result names = Cli.run(List.of("openssl", "x509", "-in", "tls.crt", "-noout", "-checkhost", host), dir,
          Map.of(), null, Duration.ofSeconds(30));
      assertThat(names.stdout()).as(names.toString()).contains("does match");

      k8s.helm("upgrade", "cpw", chart, "-n", ns, "--skip-crds", "--reuse-values").orThrow();
      assertThat(k8s.client().secrets().inNamespace(ns).withName(secretName).get().getData())
          .as("the Secret after an upgrade").isEqualTo(data);
      assertThat(k8s.client().admissionRegistration().v1().validatingWebhookConfigurations().withName(webhookName)
          .get().getWebhooks().get(0).getClientConfig().getCaBundle()).isEqualTo(data.get("ca.crt"));
    } finally {
      k8s.helm("uninstall", "cpw", "-n", ns);
    }
    assertThat(k8s.client().admissionRegistration().v1().validatingWebhookConfigurations().withName(webhookName)
        .get()).as("uninstall removes the webhook configuration").isNull();
  }

  /** Runs last: it stops the server the other tests use. */
  @Test
  @Order(Integer.MAX_VALUE)
  void withTheWebhookDownPolicyWritesFailAndOtherWritesDoNot() {
    server.close();

    Cli.Result refused = apply(policy("while-down", "cache: {maximumSize: 100}"));
    assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(1);
    assertThat(refused.stderr()).as(refused.toString())
        .contains("failed calling webhook \"" + WEBHOOK + "\"");

    Cli.Result configMap = k8s.kubectlWithInput("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: while-down
        data:
          a: "1"
        """, "apply", "-n", namespace, "-f", "-");
    assertThat(configMap.exitCode()).as("unrelated writes are unaffected: " + configMap).isZero();
  }

  private static String policy(String name, String specBody) {
    return """
        apiVersion: cacheplane.io/v1alpha1
        kind: CachePolicy
        metadata:
          name: %s
        spec:
          %s
        """.formatted(name, specBody);
  }

  private static Cli.Result apply(String manifest, String... extra) {
    String[] args = new String[4 + extra.length + 1];
    args[0] = "apply";
    args[1] = "-n";
    args[2] = namespace;
    args[3] = "-f";
    args[4] = "-";
    System.arraycopy(extra, 0, args, 5, extra.length);
    return k8s.kubectlWithInput(manifest, args);
  }

  /** A CA and a serving certificate for 127.0.0.1 signed by it, made with openssl. */
  static final class Pki {

    private Pki() {
    }

    /** Writes ca.crt, tls.crt and tls.key into {@code dir}; returns the CA certificate's path. */
    static Path create(Path dir) throws Exception {
      Path ext = dir.resolve("san.ext");
      Files.writeString(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
          StandardCharsets.UTF_8);
      openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
          "-days", "1", "-subj", "/CN=cacheplane-e2e-ca");
      openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tls.key", "-out", "tls.csr",
          "-subj", "/CN=127.0.0.1");
      openssl(dir, "x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
          "-out", "tls.crt", "-days", "1", "-extfile", ext.toString());
      return dir.resolve("ca.crt");
    }

    private static void openssl(Path dir, String... args) {
      List<String> command = new ArrayList<>();
      command.add("openssl");
      command.addAll(List.of(args));
      Cli.run(command, dir, Map.of(), null, Duration.ofSeconds(60)).orThrow();
    }
  }
}

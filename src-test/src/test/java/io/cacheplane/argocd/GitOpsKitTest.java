package io.cacheplane.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cacheplane.e2e.Cli;
import io.cacheplane.e2e.K8sTools;
import io.cacheplane.local.Manifests;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The GitOps kit: {@code examples/argocd/application.yaml} is valid for Argo CD and installs the chart before the
 * policies, and nothing the chart renders carries Argo CD's tracking metadata.
 *
 * <p>Validation uses the Application model of the npm package {@code @kubernetes-models/argo-cd} (4.0.0, generated
 * from Argo CD's own CRD schema): its {@code validate()} runs the package's precompiled JSON-schema validators under
 * node. The package ships compiled validators, not schema files, so node is the validator here, not a Java JSON-schema
 * library. {@code scripts/test-all.sh} installs the package into the cache (see {@link #argoModels()}); without it,
 * or without node, the tests fail with the command to run (they never skip). The schema checks types, enums and
 * required fields; it does not refuse unknown fields (Kubernetes' structural schemas prune them instead), so the
 * fields that matter are asserted here one by one.
 *
 * <p>The chart is rendered with the cached helm ({@link K8sTools#helm()}) the way Argo CD renders a Helm source:
 * {@code helm template --include-crds}.
 */
class GitOpsKitTest {

  private static final Path APPLICATION = Path.of("..", "examples", "argocd", "application.yaml");
  private static final String ARGO_MODELS_VERSION = "4.0.0";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String WAVE = "argocd.argoproj.io/sync-wave";
  /**
   * Keys by which Argo CD tracks resources: the default label of label tracking (Argo CD before 3.0), the usual
   * custom label, and the annotation of annotation tracking. Any other {@code argocd.argoproj.io/} key counts too.
   */
  private static final List<String> TRACKING_KEYS = List.of("app.kubernetes.io/instance", "argocd.argoproj.io/instance",
      "argocd.argoproj.io/tracking-id");

  /**
   * Validates each document of a JSON array read from stdin with the package's Application model. Prints one line
   * per document, "valid NAME" or "invalid NAME: MESSAGE", and exits 1 when any is invalid. Bare specifiers of
   * {@code --eval} resolve from the working directory: the package's install prefix.
   */
  private static final String VALIDATOR = """
      import { readFileSync } from "node:fs";
      import { Application } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
      const docs = JSON.parse(readFileSync(0, "utf8"));
      let failed = false;
      for (const doc of docs) {
        const name = doc?.metadata?.name ?? "(no name)";
        try {
          if (doc?.kind !== "Application") throw new Error("kind must be Application, got " + doc?.kind);
          new Application(doc).validate();
          console.log("valid " + name);
        } catch (e) {
          failed = true;
          console.log("invalid " + name + ": " + e.message.replace(/\\s+/g, " "));
        }
      }
      process.exit(failed ? 1 : 0);
      """;

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  // ---- the Application example ----------------------------------------------------------------------------------

  @Test
  void everyApplicationValidatesAgainstArgoCdsSchema() throws IOException {
    List<JsonNode> apps = applications();

    Cli.Result result = validate(apps);

    assertThat(result.exitCode()).as(result.toString()).isZero();
    assertThat(result.stdout().lines().toList()).containsExactly("valid cacheplane", "valid cacheplane-policies");
  }

  @Test
  void theValidatorRefusesWhatArgoCdWouldRefuse() throws IOException {
    ObjectNode noProject = (ObjectNode) applications().get(0).deepCopy();
    ((ObjectNode) noProject.path("spec")).remove("project");
    ObjectNode pathNotAString = (ObjectNode) applications().get(1).deepCopy();
    ((ObjectNode) pathNotAString.path("spec").path("source")).put("path", 5);

    Cli.Result result = validate(List.of(noProject, pathNotAString));

    assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
    assertThat(result.stdout()).contains("invalid cacheplane: ").contains("project")
        .contains("invalid cacheplane-policies: ").contains("path must be string");
  }

  @Test
  void theChartApplicationInstallsTheRepositorysChartWithItsCrds() throws IOException {
    JsonNode chart = application("cacheplane");
    JsonNode source = chart.path("spec").path("source");

    assertThat(source.path("path").asText()).isEqualTo("helm/cacheplane");
    Path chartDir = repoRoot().resolve(source.path("path").asText());
    assertThat(chartDir.resolve("Chart.yaml")).as("the source path holds a chart").isRegularFile();
    assertThat(chartDir.resolve("crds")).as("the chart ships the CRDs Argo CD applies").isDirectory();
    assertThat(source.path("helm").path("skipCrds").asBoolean(true)).as("CRDs are part of the sync").isFalse();
    assertThat(source.path("helm").path("releaseName").asText()).isEqualTo("cacheplane");
    assertThat(chart.path("spec").path("destination").path("namespace").asText()).isEqualTo("cacheplane-system");
  }

  @Test
  void thePoliciesSyncInALaterWaveIntoTheAgentsNamespace() throws IOException {
    JsonNode chart = application("cacheplane");
    JsonNode policies = application("cacheplane-policies");

    assertThat(wave(policies)).as("policies after the chart (CRDs, operator)").isGreaterThan(wave(chart));
    assertThat(policies.path("spec").path("destination").path("namespace").asText())
        .as("policies live in the agents' namespace").isEqualTo(chart.path("spec").path("destination")
            .path("namespace").asText());
    assertThat(texts(policies.path("spec").path("syncPolicy").path("syncOptions")))
        .contains("SkipDryRunOnMissingResource=true");
  }

  @Test
  void thePoliciesApplicationPicksOnlyPolicyManifests() throws IOException {
    JsonNode source = application("cacheplane-policies").path("spec").path("source");
    Path folder = repoRoot().resolve(source.path("path").asText());
    assertThat(source.path("directory").path("recurse").asBoolean(true)).isFalse();
    PathMatcher include = FileSystems.getDefault()
        .getPathMatcher("glob:" + source.path("directory").path("include").asText());

    List<Path> picked;
    try (Stream<Path> files = Files.list(folder)) {
      picked = files.filter(Files::isRegularFile).filter(f -> include.matches(f.getFileName())).sorted().toList();
    }

    assertThat(picked).as("files the include pattern picks in %s", folder).isNotEmpty();
    for (Path file : picked) {
      List<HasMetadata> objects = Manifests.read(file); // refuses anything but CachePolicy / RoutePolicy
      assertThat(objects).as("%s", file).isNotEmpty()
          .allSatisfy(o -> assertThat(o.getKind()).isIn("CachePolicy", "RoutePolicy"));
    }
  }

  // ---- the chart and Argo CD's tracking ---------------------------------------------------------------------------

  @ParameterizedTest(name = "values: {0}")
  @ValueSource(strings = {"defaults", "ci/all-options-values.yaml"})
  void noRenderedObjectCarriesArgoCdTrackingMetadata(String values) throws IOException {
    K8sTools tools = tools();
    List<String> command = new ArrayList<>(List.of(tools.helm().toString(), "template", "cacheplane",
        tools.chart().toString(), "--namespace", "cacheplane-system", "--include-crds"));
    if (!"defaults".equals(values)) {
      command.addAll(List.of("-f", tools.chart().resolve(values).toString()));
    }
    Cli.Result rendered = Cli.run(command, tools.repoRoot(), Map.of(), null, TIMEOUT);
    assertThat(rendered.exitCode()).as(rendered.toString()).isZero();

    List<JsonNode> objects = documents(rendered.stdout());
    assertThat(kinds(objects)).as("rendered like Argo CD: with the CRDs").contains("CustomResourceDefinition",
        "Deployment");
    List<String> found = new ArrayList<>();
    for (JsonNode object : objects) {
      collectTrackingKeys(object, object.path("kind").asText() + "/" + object.path("metadata").path("name").asText(),
          found);
    }
    assertThat(found).as("Argo CD tracking labels/annotations in the rendered chart").isEmpty();
  }

  @Test
  void theTrackingScanFindsAKeyInAPodTemplate() throws IOException {
    JsonNode deployment = YAML.readTree("""
        kind: Deployment
        metadata: {name: d, labels: {app.kubernetes.io/name: x}}
        spec:
          template:
            metadata:
              annotations: {argocd.argoproj.io/tracking-id: "app:apps/Deployment:ns/d"}
              labels: {app.kubernetes.io/instance: app}
        """);
    List<String> found = new ArrayList<>();

    collectTrackingKeys(deployment, "Deployment/d", found);

    assertThat(found).containsExactlyInAnyOrder(
        "Deployment/d spec.template.metadata.annotations argocd.argoproj.io/tracking-id",
        "Deployment/d spec.template.metadata.labels app.kubernetes.io/instance");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** Adds "where path.labels|annotations key" for every tracking key in any metadata of {@code node}, at any depth. */
  private static void collectTrackingKeys(JsonNode node, String where, List<String> found) {
    collect(node, "", where, found);
  }

  private static void collect(JsonNode node, String path, String where, List<String> found) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), path + "[" + i + "]", where, found);
      }
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
      if ((field.getKey().equals("labels") || field.getKey().equals("annotations")) && path.endsWith("metadata")) {
        field.getValue().fieldNames().forEachRemaining(key -> {
          if (TRACKING_KEYS.contains(key) || key.startsWith("argocd.argoproj.io/")) {
            found.add(where + " " + child + " " + key);
          }
        });
      } else {
        collect(field.getValue(), child, where, found);
      }
    }
  }

  private static Cli.Result validate(List<JsonNode> applications) throws IOException {
    Path prefix = argoModels();
    ArrayNode array = JSON.createArrayNode().addAll(applications);
    return Cli.run(List.of(node(), "--input-type=module", "--eval", VALIDATOR), prefix, Map.of(),
        JSON.writeValueAsString(array), TIMEOUT);
  }

  /**
   * The install prefix of {@code @kubernetes-models/argo-cd} that {@code scripts/test-all.sh} fills:
   * {@code <cache>/npm/argo-cd-4.0.0} (the cache as in {@link K8sTools}).
   */
  private static Path argoModels() {
    Path prefix = tools().cacheDir().resolve("npm").resolve("argo-cd-" + ARGO_MODELS_VERSION);
    if (!Files.isRegularFile(prefix.resolve("node_modules/@kubernetes-models/argo-cd/package.json"))) {
      fail("@kubernetes-models/argo-cd is not installed in %s. Run scripts/test-all.sh once, or: npm install --prefix"
          + " %s --no-save @kubernetes-models/argo-cd@%s", prefix, prefix, ARGO_MODELS_VERSION);
    }
    return prefix;
  }

  private static String node() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "node"))) {
        return Path.of(dir, "node").toString();
      }
    }
    return fail("node is not on PATH: the Argo CD Application schema is checked with the npm package's own"
        + " validators (install Node.js 20+, e.g. apt-get install -y nodejs npm)");
  }

  private static K8sTools tools() {
    K8sTools tools = K8sTools.locate();
    if (!Files.isExecutable(tools.helm())) {
      fail("helm is missing (%s): run scripts/k8s/install.sh (scripts/test-all.sh does)", tools.helm());
    }
    return tools;
  }

  private static Path repoRoot() {
    return K8sTools.locate().repoRoot();
  }

  private static List<JsonNode> applications() throws IOException {
    List<JsonNode> docs = documents(Files.readString(APPLICATION));
    assertThat(docs).as("documents in %s", APPLICATION).hasSize(2);
    return docs;
  }

  private static JsonNode application(String name) throws IOException {
    return applications().stream().filter(a -> name.equals(a.path("metadata").path("name").asText())).findFirst()
        .orElseThrow(() -> new AssertionError("no Application " + name + " in " + APPLICATION));
  }

  private static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc != null && doc.isObject() && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static int wave(JsonNode app) {
    String wave = app.path("metadata").path("annotations").path(WAVE).asText("0");
    return Integer.parseInt(wave.isEmpty() ? "0" : wave);
  }

  private static List<String> kinds(List<JsonNode> objects) {
    return objects.stream().map(o -> o.path("kind").asText()).toList();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}

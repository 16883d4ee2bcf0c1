package io.cacheplane.argocd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Argo CD health checks in {@code docs/argocd/}, run by the real Lua 5.1 interpreter (Argo CD runs them in
 * gopher-lua, a Lua 5.1) through a small harness ({@code argocd/harness.lua}) against status fixtures written as
 * Lua table literals ({@code argocd/fixtures/}). Each fixture is run for both kinds. Without {@code lua5.1} the
 * tests fail (they do not skip): {@code scripts/test-all.sh} installs it.
 */
class ArgoCdHealthTest {

  private static final Path DOCS = Path.of("..", "docs", "argocd");
  private static final Map<String, Path> SCRIPTS = Map.of(
      "CachePolicy", DOCS.resolve("health.lua"),
      "RoutePolicy", DOCS.resolve("health.lua"));
  private static final long TIMEOUT_SECONDS = 20;

  /** One rule: fixture (under argocd/fixtures/, without .lua), expected health status, expected message fragment. */
  private record Rule(String fixture, String status, String fragment) {}

  private static final List<Rule> RULES = List.of(
      new Rule("no-status", "Progressing", "Waiting for the operator"),
      new Rule("empty-status", "Progressing", "Waiting for the operator to observe generation 1"),
      new Rule("generation-not-observed", "Progressing", "Waiting for the operator to observe generation 4"),
      new Rule("invalid", "Degraded", "spec.cache.maximumSize: must be positive"),
      new Rule("degraded-rolled-back", "Degraded", "RolledBack: canary error rate 12.5% exceeds the limit of 5%"),
      new Rule("degraded-ready-only", "Degraded", "AgentsOutdated: 2 agents do not support schemaVersion 2"),
      new Rule("paused-awaiting-promote", "Suspended", "waits for the cacheplane.io/promote annotation"),
      new Rule("paused-spec", "Suspended", "spec.paused is true"),
      new Rule("paused-without-condition", "Progressing", "Pausing"),
      new Rule("progressing", "Progressing", "revision fedcba9876543210: step 2, canary weight 25% (bake 2m of 5m)"),
      new Rule("progressing-without-step", "Progressing", "step ?, canary weight ?%"),
      new Rule("healthy", "Healthy", "Revision 0123456789abcdef serves on every agent"),
      new Rule("healthy-not-ready", "Progressing", "Waiting for Ready: AgentsConverging"),
      new Rule("pending", "Progressing", "Pending"),
      new Rule("unknown-phase", "Progressing", "Unknown phase Reticulating"),
      new Rule("malformed", "Progressing", "Unknown phase"),
      new Rule("malformed-conditions", "Degraded", "no condition gives a reason"));

  static Stream<Arguments> rules() {
    return SCRIPTS.keySet().stream().sorted().flatMap(kind ->
        RULES.stream().map(rule -> Arguments.of(kind, rule.fixture(), rule.status(), rule.fragment())));
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @MethodSource("rules")
  void healthFollowsTheRules(String kind, String fixture, String status, String fragment) throws Exception {
    Result result = runHarness(SCRIPTS.get(kind), resource("argocd/fixtures/" + fixture + ".lua"), kind);

    assertThat(result.exitCode()).as("harness exit code; stderr: %s", result.stderr()).isZero();
    int bar = result.stdout().indexOf('|');
    assertThat(bar).as("output 'status|message', got: %s", result.stdout()).isPositive();
    assertThat(result.stdout().substring(0, bar)).as("health status for %s", fixture).isEqualTo(status);
    assertThat(result.stdout().substring(bar + 1)).as("health message for %s", fixture).contains(fragment);
  }

  @Test
  void luaInterpreterIsInstalled() {
    assertThat(lua()).isNotNull();
  }

  @Test
  void harnessReportsAScriptThatRaisesAnError(@TempDir Path dir) throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.lua"), "return obj.status.conditions[1].type\n");

    Result result = runHarness(broken, resource("argocd/fixtures/no-status.lua"), "CachePolicy");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).contains("health script raised an error");
  }

  @Test
  void harnessRejectsAStatusOutsideTheContract(@TempDir Path dir) throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.lua"), "return { status = \"Fine\", message = \"\" }\n");

    Result result = runHarness(wrong, resource("argocd/fixtures/healthy.lua"), "RoutePolicy");

    assertThat(result.exitCode()).isEqualTo(3);
    assertThat(result.stderr()).contains("status Fine");
  }


  @Test
  void readmeSnippetEmbedsTheScriptsVerbatim() throws IOException {
    String readme = Files.readString(DOCS.resolve("README.md"));
    Matcher block = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
    List<JsonNode> configMaps = new ArrayList<>();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    while (block.find()) {
      JsonNode node = yaml.readTree(block.group(1));
      if (node != null && "ConfigMap".equals(node.path("kind").asText())) {
        configMaps.add(node);
      }
    }
    assertThat(configMaps).as("one ```yaml block with the argocd-cm ConfigMap in README.md").hasSize(1);
    JsonNode configMap = configMaps.get(0);
    assertThat(configMap.path("metadata").path("name").asText()).isEqualTo("argocd-cm");

    JsonNode data = configMap.path("data");
    List<String> keys = new ArrayList<>();
    data.fieldNames().forEachRemaining(keys::add);
    assertThat(keys).containsExactlyInAnyOrder(
        "resource.customizations.health.cacheplane.io_CachePolicy",
        "resource.customizations.health.cacheplane.io_RoutePolicy");
    for (Map.Entry<String, Path> script : SCRIPTS.entrySet()) {
      assertThat(data.path("resource.customizations.health.cacheplane.io_" + script.getKey()).asText())
          .as("README snippet for %s must equal %s exactly", script.getKey(), script.getValue())
          .isEqualTo(Files.readString(script.getValue()));
    }
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  private static Result runHarness(Path script, Path fixture, String kind) throws Exception {
    Process process = new ProcessBuilder(lua().toString(), resource("argocd/harness.lua").toString(),
        script.toString(), fixture.toString(), kind).start();
    process.getOutputStream().close();
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("lua5.1 did not finish within %d s", TIMEOUT_SECONDS);
    }
    return new Result(process.exitValue(), stdout, stderr);
  }

  /** The lua5.1 executable on PATH; fails the test (never skips) when it is not installed. */
  private static Path lua() {
    Optional<Path> found = Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        .filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, "lua5.1"))
        .filter(Files::isExecutable)
        .findFirst();
    if (found.isEmpty()) {
      fail("lua5.1 is not on PATH. The Argo CD health checks (docs/argocd/*.lua) are tested with the real Lua 5.1 "
          + "interpreter: install it with `apt-get install -y lua5.1` (scripts/test-all.sh does this).");
    }
    return found.get();
  }

  private static Path resource(String name) throws URISyntaxException {
    URL url = ArgoCdHealthTest.class.getClassLoader().getResource(name);
    assertThat(url).as("test resource %s", name).isNotNull();
    return Path.of(url.toURI());
  }
}

package io.cacheplane.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.MappingIterator;
import io.cacheplane.api.contract.Json;
import io.cacheplane.e2e.Cli;
import io.cacheplane.e2e.K8sTools;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's optional ServiceMonitors and PrometheusRule, rendered with {@code helm template} (helm 4 of the E2E
 * tools; no cluster needed): absent unless enabled and {@code monitoring.coreos.com/v1} is served, then valid YAML
 * whose ServiceMonitors select the metrics Services and whose alerts read only catalogued metrics of this release's
 * scrape jobs, each with {@code for}, a severity, a summary and a description pointing to the runbook.
 */
class ChartObservabilityE2E {

  private static final String MONITORING = "monitoring.coreos.com/v1";
  private static final String[] ENABLED = {"--set", "metrics.serviceMonitor.enabled=true",
      "--set", "metrics.prometheusRule.enabled=true"};
  private static K8sTools tools;

  @BeforeAll
  static void helmIsThere() {
    tools = K8sTools.locate();
    assertThat(Files.isExecutable(tools.helm())).as(tools.helm() + " (run scripts/k8s/install.sh)").isTrue();
  }

  @Test
  void nothingIsRenderedByDefaultEvenWithTheCrds() {
    List<Map<String, Object>> docs = template("--api-versions", MONITORING);
    assertThat(kinds(docs)).doesNotContain("ServiceMonitor", "PrometheusRule");
    assertThat(names(docs, "Service")).noneMatch(n -> n.endsWith("-metrics"));
  }

  @Test
  void enabledWithoutTheCrdsRendersOnlyTheMetricsServices() {
    List<Map<String, Object>> docs = template(ENABLED);
    assertThat(kinds(docs)).doesNotContain("ServiceMonitor", "PrometheusRule");
    assertThat(names(docs, "Service")).contains("cp-cacheplane-operator-metrics", "cp-cacheplane-agent-metrics");
  }

  @Test
  @SuppressWarnings("unchecked")
  void enabledWithTheCrdsTheServiceMonitorsSelectTheMetricsServices() {
    List<Map<String, Object>> docs = template(concat(ENABLED, "--api-versions", MONITORING,
        "--set", "metrics.serviceMonitor.labels.release=prom"));
    assertThat(names(docs, "ServiceMonitor")).containsExactlyInAnyOrder("cp-cacheplane-operator", "cp-cacheplane-agent");
    for (Map<String, Object> sm : ofKind(docs, "ServiceMonitor")) {
      assertThat(sm.get("apiVersion")).isEqualTo(MONITORING);
      assertThat(path(sm, "metadata", "labels")).containsEntry("release", "prom");
      Map<String, Object> selector = path(sm, "spec", "selector", "matchLabels");
      List<Map<String, Object>> selected = ofKind(docs, "Service").stream()
          .filter(s -> path(s, "metadata", "labels").entrySet().containsAll(selector.entrySet())).toList();
      assertThat(selected).as("Services selected by " + name(sm)).hasSize(1);
      Map<String, Object> endpoint = ((List<Map<String, Object>>) path(sm, "spec").get("endpoints")).get(0);
      assertThat(endpoint).containsEntry("port", "management").containsEntry("path", "/q/metrics");
      assertThat((List<Map<String, Object>>) path(selected.get(0), "spec").get("ports"))
          .anySatisfy(p -> assertThat(p).containsEntry("name", "management"));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theAlertsReadOnlyCataloguedMetricsOfThisReleaseAndPointToTheRunbook() {
    List<Map<String, Object>> docs = template(concat(ENABLED, "--api-versions", MONITORING));
    List<Map<String, Object>> rules = ofKind(docs, "PrometheusRule");
    assertThat(rules).hasSize(1);
    Map<String, String> catalog = MetricsCatalog.documented(tools.repoRoot());
    List<Map<String, Object>> alerts = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) path(rules.get(0), "spec").get("groups")) {
      alerts.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    assertThat(alerts).extracting(a -> a.get("alert")).containsExactlyInAnyOrder("CacheplaneRollback",
        "CacheplaneAgentsStale", "CacheplaneAgentDown", "CacheplaneConfigRejected", "CacheplaneInvalidSpec",
        "CacheplaneHitRatioCollapsed");
    assertThat(alerts).filteredOn(a -> "CacheplaneAgentsStale".equals(a.get("alert"))).singleElement()
        .satisfies(a -> assertThat((String) a.get("expr")).as("the operator's own count of stale agents")
            .contains("cacheplane_operator_agents{job=\"cp-cacheplane-operator-metrics\"", "state=\"stale\"}"));
    for (Map<String, Object> alert : alerts) {
      String expr = (String) alert.get("expr");
      assertThat(MetricsCatalog.unknown(MetricsCatalog.metricNames(expr), catalog)).as(alert.get("alert") + ": " + expr)
          .isEmpty();
      assertThat(expr).as("scoped to this release's scrape jobs")
          .containsPattern("job=\"cp-cacheplane-(operator|agent)-metrics\", namespace=\"obs\"");
      assertThat((String) alert.get("for")).matches("[0-9]+[smh]");
      assertThat(path(alert, "labels")).containsKey("severity");
      Map<String, Object> annotations = path(alert, "annotations");
      assertThat((String) annotations.get("summary")).isNotBlank();
      assertThat((String) annotations.get("description")).contains("docs/troubleshooting.md");
      assertThat(annotations).doesNotContainKey("runbook_url");
    }
    List<Map<String, Object>> withUrl = ofKind(template(concat(ENABLED, "--api-versions", MONITORING,
        "--set", "metrics.prometheusRule.runbookBaseUrl=https://runbooks.example.com/cp")), "PrometheusRule");
    assertThat(withUrl.toString()).contains("runbook_url=https://runbooks.example.com/cp#rollback");
  }

  @Test
  void aHitRatioFactorOutsideZeroToOneIsRefusedByTheSchema() {
    Cli.Result r = helm(concat(new String[] {"template", "cp", tools.chart().toString(), "-n", "obs"},
        concat(ENABLED, "--set", "metrics.prometheusRule.hitRatioDropFactor=1.5")));
    assertThat(r.exitCode()).as(r.toString()).isNotZero();
    assertThat(r.stderr()).contains("hitRatioDropFactor");
  }

  private static List<Map<String, Object>> template(String... args) {
    Cli.Result r = helm(concat(new String[] {"template", "cp", tools.chart().toString(), "-n", "obs"}, args));
    assertThat(r.exitCode()).as(r.toString()).isZero();
    List<Map<String, Object>> docs = new ArrayList<>();
    try (MappingIterator<Map<String, Object>> it = Json.YAML.readerFor(Map.class).readValues(r.stdout())) {
      while (it.hasNext()) {
        Map<String, Object> doc = it.next();
        if (doc != null && !doc.isEmpty()) {
          docs.add(doc);
        }
      }
    } catch (IOException e) {
      throw new AssertionError("helm template output is not valid YAML: " + e.getMessage(), e);
    }
    return docs;
  }

  private static Cli.Result helm(String... args) {
    List<String> command = new ArrayList<>();
    command.add(tools.helm().toString());
    command.addAll(List.of(args));
    return Cli.run(command, tools.repoRoot(), Map.of(), null, Duration.ofSeconds(60));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = new String[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<String> kinds(List<Map<String, Object>> docs) {
    return docs.stream().map(d -> (String) d.get("kind")).toList();
  }

  private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  private static Set<String> names(List<Map<String, Object>> docs, String kind) {
    return ofKind(docs, kind).stream().map(ChartObservabilityE2E::name).collect(Collectors.toSet());
  }

  private static String name(Map<String, Object> doc) {
    return (String) path(doc, "metadata").get("name");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> path(Map<String, Object> doc, String... keys) {
    Map<String, Object> at = doc;
    for (String k : keys) {
      at = (Map<String, Object>) at.get(k);
      assertThat(at).as(String.join(".", keys)).isNotNull();
    }
    return at;
  }
}

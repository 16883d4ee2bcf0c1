package io.cacheplane.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cacheplane.e2e.K8sTools;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard {@code docs/grafana/cacheplane-dashboard.json}: valid JSON, every PromQL expression (panel
 * targets, annotations, variable queries) reads only metrics of the catalog in {@code docs/observability.md} (or
 * Prometheus' own {@code up}), and the panels cover what an operator of Cacheplane watches.
 */
class DashboardTest {

  static final Path DASHBOARD = Path.of("docs", "grafana", "cacheplane-dashboard.json");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)");

  private static JsonNode dashboard;
  private static Map<String, String> catalog;

  @BeforeAll
  static void read() throws IOException {
    Path root = K8sTools.locate().repoRoot();
    dashboard = new ObjectMapper().readTree(root.resolve(DASHBOARD).toFile());
    catalog = MetricsCatalog.documented(root);
  }

  @Test
  void everyExpressionUsesOnlyCataloguedMetrics() {
    List<String> expressions = new ArrayList<>();
    dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> expressions.add(t.path("expr").asText())));
    dashboard.path("annotations").path("list").forEach(a -> expressions.add(a.path("expr").asText()));
    assertThat(expressions).hasSizeGreaterThanOrEqualTo(20).allSatisfy(e -> {
      Set<String> used = MetricsCatalog.metricNames(e);
      assertThat(used).as("metrics of " + e).isNotEmpty();
      assertThat(MetricsCatalog.unknown(used, catalog)).as("unknown metrics in " + e).isEmpty();
    });
    Set<String> variableMetrics = new LinkedHashSet<>();
    dashboard.path("templating").path("list").forEach(v -> {
      Matcher m = LABEL_VALUES.matcher(v.path("definition").asText());
      while (m.find()) {
        variableMetrics.add(m.group(1));
      }
    });
    assertThat(variableMetrics).isNotEmpty();
    assertThat(MetricsCatalog.unknown(variableMetrics, catalog)).isEmpty();
  }

  @Test
  void thePanelsCoverRolloutsCachesUpstreamsConfigurationAndAgents() {
    List<String> titles = new ArrayList<>();
    Set<String> metrics = new LinkedHashSet<>();
    dashboard.path("panels").forEach(p -> {
      titles.add(p.path("title").asText());
      p.path("targets").forEach(t -> metrics.addAll(MetricsCatalog.metricNames(t.path("expr").asText())));
    });
    assertThat(titles).contains("Rollout transitions", "Convergence time", "Rollbacks", "Hit ratio", "Evictions",
        "Distinct keys (entries)", "Upstream errors", "Retries", "Rejected configurations",
        "Stale agents", "Upstream latency");
    assertThat(metrics).contains("cacheplane_operator_rollout_transitions_total",
        "cacheplane_operator_convergence_seconds_sum", "cacheplane_operator_rollbacks_total",
        "cacheplane_cache_hits_total", "cacheplane_cache_misses_total", "cacheplane_cache_evictions_total",
        "cacheplane_cache_entries", "cacheplane_requests_total", "cacheplane_route_retries_total",
        "cacheplane_route_retries_refused_total", "cacheplane_config_rejections_total", "up",
        "cacheplane_operator_agents", "cacheplane_upstream_duration_seconds_bucket");
  }

  @Test
  void panelsUseTheDatasourceVariableAndDistinctIdsAndPlaces() {
    Set<Integer> ids = new LinkedHashSet<>();
    Set<String> places = new LinkedHashSet<>();
    dashboard.path("panels").forEach(p -> {
      assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
      assertThat(ids.add(p.path("id").asInt())).as("id of " + p.path("title").asText()).isTrue();
      JsonNode g = p.path("gridPos");
      assertThat(places.add(g.path("x").asInt() + "," + g.path("y").asInt())).as("place of " + p.path("title"))
          .isTrue();
    });
    assertThat(dashboard.path("uid").asText()).isEqualTo("cacheplane");
  }
}

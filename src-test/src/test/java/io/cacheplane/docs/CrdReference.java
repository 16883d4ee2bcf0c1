package io.cacheplane.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders the field reference of one CRD (a {@code crds/*.yaml} file, {@code apiextensions.k8s.io/v1}) as Markdown:
 * one table row per field path of {@code spec} and {@code status}, with its type, its validation (required, enum,
 * minimum, maximum, pattern, length and item limits) and its description, all taken from the CRD's
 * {@code openAPIV3Schema}; plus the printer columns. A pure function of the CRD text: the same CRD always renders
 * the same bytes, so {@code DocsDriftTest} can compare the committed {@code docs/reference/*.md} with it.
 *
 * <p>Path notation: {@code a.b} for a property, {@code a[]} for the items of an array, {@code a.*} for the values of
 * a map ({@code additionalProperties}). Types: the schema {@code type}; {@code integer or string} for
 * {@code x-kubernetes-int-or-string}; {@code array of T}; {@code map of T}.
 */
public final class CrdReference {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private CrdReference() {
  }

  /**
   * @param crdYaml the CRD's YAML text (one document)
   * @param sourceName how the generated page names its source, e.g. {@code crds/cachepolicies.cacheplane.io.yaml}
   * @param regenerateCommand the command that regenerates the page, shown at its top
   * @return the Markdown page, ending with a newline
   * @throws IOException when the text is not YAML
   * @throws IllegalArgumentException when it is not a CRD with exactly one version that has an openAPIV3Schema
   */
  public static String render(String crdYaml, String sourceName, String regenerateCommand) throws IOException {
    JsonNode crd = YAML.readTree(crdYaml);
    if (crd == null || !"CustomResourceDefinition".equals(crd.path("kind").asText())) {
      throw new IllegalArgumentException(sourceName + " is not a CustomResourceDefinition");
    }
    JsonNode spec = crd.path("spec");
    JsonNode names = spec.path("names");
    JsonNode versions = spec.path("versions");
    if (!versions.isArray() || versions.size() != 1) {
      throw new IllegalArgumentException(sourceName + ": expected exactly one version, got " + versions.size());
    }
    JsonNode version = versions.get(0);
    JsonNode schema = version.path("schema").path("openAPIV3Schema");
    if (!schema.isObject()) {
      throw new IllegalArgumentException(sourceName + ": version " + version.path("name").asText()
          + " has no openAPIV3Schema");
    }
    String kind = names.path("kind").asText();
    StringBuilder md = new StringBuilder();
    md.append("# ").append(kind).append(" field reference\n\n");
    md.append("<!-- Generated from ").append(sourceName).append(". Do not edit: regenerate with\n     ")
        .append(regenerateCommand).append(" -->\n\n");
    md.append("Generated from [`").append(sourceName).append("`](../../").append(sourceName)
        .append(") (the CRD the API server validates against). Group `").append(spec.path("group").asText())
        .append("`, version `").append(version.path("name").asText()).append("`, kind `").append(kind)
        .append("`, plural `").append(names.path("plural").asText()).append("`");
    List<String> shortNames = texts(names.path("shortNames"));
    if (!shortNames.isEmpty()) {
      md.append(", short names ").append(codes(shortNames));
    }
    List<String> categories = texts(names.path("categories"));
    if (!categories.isEmpty()) {
      md.append(", categories ").append(codes(categories));
    }
    md.append(", ").append(spec.path("scope").asText().toLowerCase(java.util.Locale.ROOT)).append(".");
    if (version.path("subresources").has("status")) {
      md.append(" `status` is a subresource: users write `spec` (and metadata), only the operator writes `status`.");
    }
    md.append("\n\n");
    md.append("Paths: `a.b` is a field of `a`, `a[]` an item of the list `a`, `a.*` a value of the map `a`. "
        + "Durations are strings such as `30s`, `5m`, `1h30m`; `integer or string` fields take a number of bytes "
        + "or a Kubernetes quantity such as `64Mi`. Fields without a `required` mark are optional.\n");

    JsonNode properties = schema.path("properties");
    for (String section : List.of("spec", "status")) {
      JsonNode node = properties.path(section);
      if (!node.isObject()) {
        continue;
      }
      md.append("\n## `").append(section).append("`\n\n");
      String description = oneLine(node.path("description").asText(""));
      if (!description.isEmpty()) {
        md.append(prose(description)).append("\n\n");
      }
      md.append("| field | type | validation | description |\n| --- | --- | --- | --- |\n");
      List<String[]> rows = new ArrayList<>();
      walk(node, section, required(schema).contains(section), rows);
      for (String[] row : rows.subList(1, rows.size())) { // the section itself is the heading
        md.append("| `").append(row[0]).append("` | ").append(row[1]).append(" | ").append(cell(row[2]))
            .append(" | ").append(prose(row[3])).append(" |\n");
      }
    }

    JsonNode columns = version.path("additionalPrinterColumns");
    if (columns.isArray() && !columns.isEmpty()) {
      md.append("\n## Printer columns\n\n`kubectl get ").append(names.path("plural").asText())
          .append("` shows the columns without a priority; `-o wide` shows them all.\n\n")
          .append("| column | type | JSON path | priority |\n| --- | --- | --- | --- |\n");
      for (JsonNode column : columns) {
        md.append("| ").append(cell(column.path("name").asText())).append(" | ").append(column.path("type").asText())
            .append(" | `").append(cell(column.path("jsonPath").asText())).append("` | ")
            .append(column.path("priority").asInt(0)).append(" |\n");
      }
    }
    return md.toString();
  }

  /** Adds one row {path, type, validation, description} for {@code node} and then for each nested field. */
  private static void walk(JsonNode node, String path, boolean required, List<String[]> rows) {
    rows.add(new String[] {path, type(node), validation(node, required), oneLine(node.path("description").asText(""))});
    JsonNode properties = node.path("properties");
    if (properties.isObject()) {
      Set<String> requiredChildren = required(node);
      Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        walk(field.getValue(), path + "." + field.getKey(), requiredChildren.contains(field.getKey()), rows);
      }
    }
    JsonNode items = node.path("items");
    if (items.isObject() && (items.has("properties") || items.has("items"))) {
      walkChildren(items, path + "[]", rows);
    }
    JsonNode values = node.path("additionalProperties");
    if (values.isObject() && (values.has("properties") || values.has("items"))) {
      walkChildren(values, path + ".*", rows);
    }
  }

  /** The fields of an array item or map value, without a row for the item itself (its type is in the parent's). */
  private static void walkChildren(JsonNode node, String path, List<String[]> rows) {
    List<String[]> nested = new ArrayList<>();
    walk(node, path, false, nested);
    String[] self = nested.get(0);
    if (!self[2].isEmpty() || !self[3].isEmpty()) {
      rows.add(self);
    }
    rows.addAll(nested.subList(1, nested.size()));
  }

  static String type(JsonNode node) {
    if (node.path("x-kubernetes-int-or-string").asBoolean(false)) {
      return "integer or string";
    }
    String type = node.path("type").asText("");
    if ("array".equals(type)) {
      return "array of " + type(node.path("items"));
    }
    if ("object".equals(type) && node.path("additionalProperties").isObject()) {
      return "map of " + type(node.path("additionalProperties"));
    }
    if (type.isEmpty() && node.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
      return "any";
    }
    return type.isEmpty() ? "any" : type;
  }

  static String validation(JsonNode node, boolean required) {
    List<String> rules = new ArrayList<>();
    if (required) {
      rules.add("required");
    }
    List<String> values = texts(node.path("enum"));
    if (!values.isEmpty()) {
      rules.add("one of " + codes(values));
    }
    JsonNode items = node.path("items");
    List<String> itemValues = texts(items.path("enum"));
    if (!itemValues.isEmpty()) {
      rules.add("items one of " + codes(itemValues));
    }
    bound(node, "minimum", "≥ ", rules);
    bound(node, "maximum", "≤ ", rules);
    bound(items, "minimum", "items ≥ ", rules);
    bound(items, "maximum", "items ≤ ", rules);
    bound(node, "minLength", "length ≥ ", rules);
    bound(node, "maxLength", "length ≤ ", rules);
    bound(node, "minItems", "items ≥ ", rules);
    bound(node, "maxItems", "items ≤ ", rules);
    if (node.has("pattern")) {
      rules.add("pattern `" + node.path("pattern").asText() + "`");
    }
    if (items.has("pattern")) {
      rules.add("items match `" + items.path("pattern").asText() + "`");
    }
    if (node.has("format")) {
      rules.add("format `" + node.path("format").asText() + "`");
    }
    return String.join("; ", rules);
  }

  private static void bound(JsonNode node, String key, String prefix, List<String> rules) {
    if (node.has(key) && node.path(key).isNumber()) {
      rules.add(prefix + new BigDecimal(node.path(key).asText()).stripTrailingZeros().toPlainString());
    }
  }

  private static Set<String> required(JsonNode node) {
    return new HashSet<>(texts(node.path("required")));
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static String codes(List<String> values) {
    return String.join(", ", values.stream().map(v -> "`" + v + "`").toList());
  }

  private static String oneLine(String text) {
    return text.replaceAll("\\s+", " ").strip();
  }

  /** Description text in a table cell: pipes escaped, and angle brackets, so {@code <service>} is not read as HTML. */
  static String prose(String text) {
    return cell(text).replace("<", "&lt;").replace(">", "&gt;");
  }

  /** A table cell: pipes escaped (also inside code spans, as GitHub's tables require). */
  static String cell(String text) {
    return text.replace("|", "\\|");
  }
}

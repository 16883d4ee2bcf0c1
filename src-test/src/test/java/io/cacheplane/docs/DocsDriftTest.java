package io.cacheplane.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cacheplane.agent.config.Reasons;
import io.cacheplane.api.contract.EnvelopeException;
import io.cacheplane.api.v1alpha1.PolicyConditions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The documentation in {@code docs/} stays true to the code: the field references are what {@link CrdReference}
 * renders from {@code crds/} today, troubleshooting explains every status reason and every agent rejection reason,
 * and the index lists every page.
 *
 * <p>Regenerate the field references after a CRD change with {@link #REGENERATE} (it writes the files, then checks
 * them).
 */
class DocsDriftTest {

  /** The command that rewrites {@code docs/reference/*.md} from {@code crds/}. */
  static final String REGENERATE = "mvn -B -pl src-test -am verify -Dtest=DocsDriftTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Ddocs.update=true";

  private static final Path REPO = Path.of("..");
  private static final Path DOCS = REPO.resolve("docs");
  /** Inline links and images: [text](target), target without a title. */
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  // ---- generated field references ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"cachepolicy:cachepolicies", "routepolicy:routepolicies"})
  void fieldReferenceMatchesTheCrd(String pair) throws IOException {
    String page = pair.split(":")[0];
    String crdName = "crds/" + pair.split(":")[1] + ".cacheplane.io.yaml";
    String generated = CrdReference.render(Files.readString(REPO.resolve(crdName)), crdName, REGENERATE);
    Path committed = DOCS.resolve("reference").resolve(page + ".md");
    if (Boolean.getBoolean("docs.update")) {
      Files.createDirectories(committed.getParent());
      Files.writeString(committed, generated, StandardCharsets.UTF_8);
    }

    assertThat(committed).exists();
    assertThat(Files.readString(committed))
        .as("docs/reference/%s.md is stale: run `%s` and commit the result", page, REGENERATE)
        .isEqualTo(generated);
  }

  @Test
  void fieldReferenceListsEveryFieldWithItsValidation() throws IOException {
    String crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        spec:
          group: example.io
          names: {kind: Widget, plural: widgets, shortNames: [wd]}
          scope: Namespaced
          versions:
          - name: v1
            subresources: {status: {}}
            schema:
              openAPIV3Schema:
                properties:
                  spec:
                    description: "The widget."
                    required: [size]
                    properties:
                      size: {type: integer, minimum: 1.0, maximum: 10.0, description: "How big | in <units>."}
                      mode: {type: string, enum: [Fast, Slow]}
                      weight: {x-kubernetes-int-or-string: true, anyOf: [{type: integer}, {type: string}]}
                      parts:
                        type: array
                        items:
                          type: object
                          required: [name]
                          properties:
                            name: {type: string, pattern: "^[a-z]+$"}
                      tags: {type: array, items: {type: string, enum: [a, b]}}
                      labels: {type: object, additionalProperties: {type: string}}
            additionalPrinterColumns:
            - {name: Size, type: integer, jsonPath: .spec.size}
        """;

    String md = CrdReference.render(crd, "crds/widgets.yaml", "regen");

    assertThat(md).startsWith("# Widget field reference\n")
        .contains("short names `wd`")
        .contains("| `spec.size` | integer | required; ≥ 1; ≤ 10 | How big \\| in &lt;units&gt;. |\n")
        .contains("| `spec.mode` | string | one of `Fast`, `Slow` |  |\n")
        .contains("| `spec.weight` | integer or string |  |  |\n")
        .contains("| `spec.parts` | array of object |  |  |\n")
        .contains("| `spec.parts[].name` | string | required; pattern `^[a-z]+$` |  |\n")
        .contains("| `spec.tags` | array of string | items one of `a`, `b` |  |\n")
        .contains("| `spec.labels` | map of string |  |  |\n")
        .contains("| Size | integer | `.spec.size` | 0 |\n")
        .doesNotContain("## `status`");
  }

  @Test
  void fieldReferenceRefusesWhatIsNotACrd() {
    assertThatThrownBy(() -> CrdReference.render("kind: ConfigMap\n", "x.yaml", "regen"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("x.yaml is not a CustomResourceDefinition");
    assertThatThrownBy(() -> CrdReference.render("kind: CustomResourceDefinition\nspec: {versions: []}\n", "y.yaml",
        "regen")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exactly one version");
  }

  // ---- troubleshooting ----------------------------------------------------------------------------------------------

  @Test
  void troubleshootingExplainsEveryStatusReason() throws IOException {
    Set<String> headings = headings(DOCS.resolve("troubleshooting.md"));

    assertThat(PolicyConditions.REASONS).isNotEmpty()
        .allSatisfy(reason -> assertThat(headings).as("a '### `%s`' section in docs/troubleshooting.md", reason)
            .contains(reason));
  }

  @Test
  void troubleshootingExplainsEveryAgentRejectionReason() throws IOException {
    Set<String> reasons = new TreeSet<>(constants(Reasons.class));
    reasons.addAll(constants(EnvelopeException.class));
    Set<String> headings = headings(DOCS.resolve("troubleshooting.md"));

    assertThat(reasons).contains("MalformedEnvelope", "ApplyFailed")
        .allSatisfy(reason -> assertThat(headings).as("a '### `%s`' section in docs/troubleshooting.md", reason)
            .contains(reason));
  }

  // ---- index and links ------------------------------------------------------------------------------------------

  @Test
  void indexLinksEveryPage() throws IOException {
    Set<String> linked = new TreeSet<>();
    for (String target : links(DOCS.resolve("README.md"))) {
      linked.add(DOCS.resolve(target).normalize().toString());
    }
    List<String> pages;
    try (Stream<Path> files = Files.walk(DOCS)) {
      pages = files.filter(f -> f.toString().endsWith(".md")).filter(f -> !f.equals(DOCS.resolve("README.md")))
          .map(f -> f.normalize().toString()).sorted().toList();
    }

    assertThat(pages).isNotEmpty().allSatisfy(page -> assertThat(linked).as("docs/README.md links %s", page)
        .contains(page));
  }

  @Test
  void relativeLinksResolve() throws IOException {
    Set<String> indexed = new TreeSet<>();
    for (String target : links(DOCS.resolve("README.md"))) {
      indexed.add(DOCS.resolve(target).normalize().toString());
    }
    List<String> broken = new ArrayList<>();
    try (Stream<Path> files = Files.walk(DOCS)) {
      for (Path page : files.filter(f -> f.toString().endsWith(".md")).sorted().toList()) {
        for (String target : links(page)) {
          Path resolved = page.getParent().resolve(target).normalize();
          // A page of the index may be written by a change that is not part of this checkout yet; every other
          // target (code, charts, scripts, examples, this page's siblings) must exist.
          if (!Files.exists(resolved) && !indexed.contains(resolved.toString())) {
            broken.add(page + " -> " + target);
          }
        }
      }
    }

    assertThat(broken).as("relative links whose target does not exist").isEmpty();
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** Relative link targets of a Markdown page, without fragments; external and same-page links are skipped. */
  private static List<String> links(Path page) throws IOException {
    List<String> out = new ArrayList<>();
    // Code blocks and code spans hold no links (a pattern such as `^[a-z]([-a-z]*)$` would look like one).
    String text = Files.readString(page).replaceAll("(?s)```.*?```", "").replaceAll("`[^`\n]*`", "");
    Matcher m = LINK.matcher(text);
    while (m.find()) {
      String target = m.group(1);
      if (target.contains("://") || target.startsWith("#") || target.startsWith("mailto:")) {
        continue;
      }
      int hash = target.indexOf('#');
      out.add(hash >= 0 ? target.substring(0, hash) : target);
    }
    return out;
  }

  /** The code spans of the page's level-3 headings, e.g. {@code ### `RolledBack`} gives "RolledBack". */
  private static Set<String> headings(Path page) throws IOException {
    Set<String> out = new TreeSet<>();
    Matcher m = Pattern.compile("(?m)^### .*$").matcher(Files.readString(page));
    while (m.find()) {
      Matcher code = Pattern.compile("`([^`]+)`").matcher(m.group());
      while (code.find()) {
        out.add(code.group(1));
      }
    }
    return out;
  }

  /** The values of the public static final String constants of a class. */
  private static List<String> constants(Class<?> type) throws IOException {
    List<String> out = new ArrayList<>();
    for (Field f : type.getFields()) {
      int mod = f.getModifiers();
      if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == String.class) {
        try {
          out.add((String) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IOException(e);
        }
      }
    }
    return out;
  }
}

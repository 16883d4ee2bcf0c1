package io.cacheplane.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Local mode reads manifests as strictly as an API server and says where a broken one is broken. */
class ManifestsTest {

  @TempDir
  Path dir;

  @Test
  void theExamplesRead() throws IOException {
    assertThat(Manifests.read(Path.of("..", "examples", "cachepolicy-product-pages.yaml"))).hasSize(1);
    assertThat(Manifests.read(Path.of("..", "examples", "routepolicy-storefront.yaml"))).hasSize(1);
  }

  /** {@code AV} in a row stands for the apiVersion line every manifest needs. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "another apiVersion|apiVersion: cacheplane.io/v1beta9\\nkind: CachePolicy\\nmetadata: {name: p}|"
          + "document 1: apiVersion of a CachePolicy must be cacheplane.io/v1alpha1, got \"cacheplane.io/v1beta9\"",
      "no apiVersion|kind: RoutePolicy\\nmetadata: {name: p}|apiVersion of a RoutePolicy must be cacheplane.io/v1alpha1",
      "string for an integer|AVkind: CachePolicy\\nmetadata: {name: p}\\nspec: {cache: {maximumSize: \"100\"}}"
          + "|spec.cache.maximumSize",
      "string for a boolean|AVkind: CachePolicy\\nmetadata: {name: p}\\nspec: {key: {includeHost: \"true\"}}"
          + "|spec.key.includeHost",
      "a list document|AVkind: CachePolicy\\nmetadata: {name: p}\\n---\\n[1, 2, 3]|document 2 is a list",
      "a scalar document|just a string|document 1 is a scalar (just a string)",
      "typo in a field|AVkind: CachePolicy\\nmetadata: {name: p}\\nspec: {cache: {maxSize: 10}}|spec.cache.maxSize",
      "fraction for an integer|AVkind: CachePolicy\\nmetadata: {name: p}\\nspec: {cache: {maximumSize: 1.5}}|spec.cache.maximumSize",
      "unknown enum value|AVkind: CachePolicy\\nmetadata: {name: p}\\nspec: {cacheable: {methods: [get]}}|spec.cacheable.methods[0]",
      "tab indentation|AVkind: CachePolicy\\nmetadata:\\n\\tname: p|line 4",
      "another kind|kind: ConfigMap\\nmetadata: {name: p}|kind \"ConfigMap\"",
      "bad name|AVkind: CachePolicy\\nmetadata: {name: Product_Pages}|metadata.name must be a DNS-1123 subdomain",
  })
  void brokenManifestsAreRefusedWithWhereAndWhy(String name, String yaml, String expected) throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, yaml.replace("AV", "apiVersion: cacheplane.io/v1alpha1\\n")
        .replace("\\n", "\n").replace("\\t", "\t"));
    assertThatThrownBy(() -> Manifests.read(file))
        .satisfies(e -> assertThat(Manifests.describe((Exception) e)).contains(expected));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a comment|# TODO",
      "empty documents|---\\n---",
      "comments between markers|---\\n# a\\n---\\n# b\\n",
      "an empty mapping|{}",
  })
  void aFileOfEmptyDocumentsDeclaresNothing(String name, String yaml) throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, yaml.replace("\\n", "\n"));
    assertThat(Manifests.read(file, "default")).isEmpty();
  }

  @Test
  void aNamespaceOtherThanLocalModesIsRefused() throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, "apiVersion: cacheplane.io/v1alpha1\nkind: CachePolicy\n"
        + "metadata: {name: p, namespace: shop}\n");
    assertThat(Manifests.read(file, "shop")).hasSize(1);
    assertThat(Manifests.read(file)).hasSize(1);
    assertThatThrownBy(() -> Manifests.read(file, "default"))
        .hasMessageContaining("document 1: metadata.namespace is \"shop\" but local mode serves namespace \"default\"");
  }

  @Test
  void nonUtf8IsSaidPlainly() throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.write(file, new byte[] {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> Manifests.read(file))
        .satisfies(e -> assertThat(Manifests.describe((Exception) e)).isEqualTo("the file is not UTF-8 text"));
  }
}

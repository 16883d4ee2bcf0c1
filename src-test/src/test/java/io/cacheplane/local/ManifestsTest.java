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

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "typo in a field|kind: CachePolicy\\nmetadata: {name: p}\\nspec: {cache: {maxSize: 10}}|spec.cache.maxSize",
      "fraction for an integer|kind: CachePolicy\\nmetadata: {name: p}\\nspec: {cache: {maximumSize: 1.5}}|spec.cache.maximumSize",
      "unknown enum value|kind: CachePolicy\\nmetadata: {name: p}\\nspec: {cacheable: {methods: [get]}}|spec.cacheable.methods[0]",
      "tab indentation|kind: CachePolicy\\nmetadata:\\n\\tname: p|line 3",
      "another kind|kind: ConfigMap\\nmetadata: {name: p}|kind \"ConfigMap\"",
      "bad name|kind: CachePolicy\\nmetadata: {name: Product_Pages}|metadata.name must be a DNS-1123 subdomain",
  })
  void brokenManifestsAreRefusedWithWhereAndWhy(String name, String yaml, String expected) throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.writeString(file, yaml.replace("\\n", "\n").replace("\\t", "\t"));
    assertThatThrownBy(() -> Manifests.read(file))
        .satisfies(e -> assertThat(Manifests.describe((Exception) e)).contains(expected));
  }

  @Test
  void nonUtf8IsSaidPlainly() throws IOException {
    Path file = dir.resolve("p.yaml");
    Files.write(file, new byte[] {'k', 'i', 'n', 'd', ':', ' ', (byte) 0xff, '\n'});
    assertThatThrownBy(() -> Manifests.read(file))
        .satisfies(e -> assertThat(Manifests.describe((Exception) e)).isEqualTo("the file is not UTF-8 text"));
  }
}

package io.cacheplane.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.cacheplane.api.v1alpha1.CachePolicy;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The watched folder of local mode against the embedded API (fabric8 mock server): a file that is replaced by nothing readable keeps its
 * policies, and a policy declared twice follows the file that still declares it.
 */
class ManifestFolderTest {

  private static final String NS = "default";
  private static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;
  private static KubernetesClient client;

  @TempDir
  Path dir;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private ManifestFolder folder;

  @BeforeAll
  static void start() {
    // the API alone, as local mode's (CRUD mode), without the operator, whose status writes are not under test
    server = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(new io.fabric8.mockwebserver.Context(),
        new io.fabric8.mockwebserver.MockWebServer(), new java.util.HashMap<>(),
        new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(List.of()), false);
    server.init(java.net.InetAddress.getLoopbackAddress(), 0);
    client = server.createClient();
  }

  @AfterAll
  static void stop() {
    client.close();
    server.destroy();
  }

  @BeforeEach
  void emptyApi() {
    client().resources(CachePolicy.class).inNamespace(NS).delete();
    folder = new ManifestFolder(client(), NS, log::add);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a comment|# TODO|declares no CachePolicy or RoutePolicy",
      "empty documents|---\\n---|declares no CachePolicy or RoutePolicy",
      "blank|  \\n|is empty; keeping what it applied before",
      "a list|[1, 2, 3]|cannot apply y1.yaml: document 1 is a list",
      "a scalar|just a string|cannot apply y1.yaml: document 1 is a scalar",
      "a list after a policy|" + "apiVersion: cacheplane.io/v1alpha1\\nkind: CachePolicy\\nmetadata: {name: y1}\\n"
          + "---\\n[1]|cannot apply y1.yaml: document 2 is a list",
  })
  void aFileReplacedByNoManifestsKeepsWhatItApplied(String name, String replacement, String said) throws IOException {
    Path file = dir.resolve("y1.yaml");
    Files.writeString(file, policy("y1", 100));
    folder.apply(file);
    assertThat(maximumSize("y1")).isEqualTo(100);

    replaceAtomically(file, replacement.replace("\\n", "\n"));
    folder.apply(file);

    assertThat(maximumSize("y1")).isEqualTo(100);
    assertThat(log).anySatisfy(line -> assertThat(line).contains(said)).noneMatch(l -> l.contains("deleted"));
    // and it reads again when fixed
    replaceAtomically(file, policy("y1", 200));
    folder.apply(file);
    assertThat(maximumSize("y1")).isEqualTo(200);
  }

  @Test
  void onlyRemovingAManifestOrTheFileDeletes() throws IOException {
    Path file = dir.resolve("two.yaml");
    Files.writeString(file, policy("a", 1) + "---\n" + policy("b", 2));
    folder.apply(file);
    replaceAtomically(file, policy("a", 1));
    folder.apply(file);
    assertThat(exists("a")).isTrue();
    assertThat(exists("b")).isFalse();
    assertThat(log).contains("cachepolicy/b deleted (no longer in two.yaml)");

    Files.delete(file);
    folder.remove(file);
    assertThat(exists("a")).isFalse();
    assertThat(log).contains("cachepolicy/a deleted (two.yaml was removed)");
  }

  @Test
  void whenTheFileSavedLastGoesAwayTheOtherDeclarationIsApplied() throws IOException {
    Path pages = dir.resolve("pages.yaml");
    Path dup = dir.resolve("dup.yaml");
    Files.writeString(pages, policy("product-pages", 10));
    folder.apply(pages);
    Files.writeString(dup, policy("product-pages", 20));
    folder.apply(dup);
    assertThat(maximumSize("product-pages")).as("%s", log).isEqualTo(20);
    assertThat(log).contains("warning: cachepolicy/product-pages is also declared in pages.yaml; the file saved last wins");

    Files.delete(dup);
    folder.remove(dup);

    assertThat(maximumSize("product-pages")).isEqualTo(10);
    assertThat(log).contains("cachepolicy/product-pages configured (from pages.yaml; dup.yaml was removed)");
  }

  @Test
  void whenTheFileSavedLastStopsDeclaringItTheOtherDeclarationIsApplied() throws IOException {
    Path pages = dir.resolve("pages.yaml");
    Path dup = dir.resolve("dup.yaml");
    Files.writeString(pages, policy("product-pages", 10));
    folder.apply(pages);
    Files.writeString(dup, policy("product-pages", 20));
    folder.apply(dup);

    replaceAtomically(dup, policy("other", 5));
    folder.apply(dup);

    assertThat(maximumSize("product-pages")).isEqualTo(10);
    assertThat(maximumSize("other")).isEqualTo(5);
  }

  @Test
  void removingTheFileWhoseVersionIsNotAppliedChangesNothing() throws IOException {
    Path pages = dir.resolve("pages.yaml");
    Path dup = dir.resolve("dup.yaml");
    Files.writeString(dup, policy("product-pages", 20));
    folder.apply(dup);
    Files.writeString(pages, policy("product-pages", 10));
    folder.apply(pages);

    Files.delete(dup);
    folder.remove(dup);

    assertThat(maximumSize("product-pages")).isEqualTo(10);
    assertThat(log).contains("cachepolicy/product-pages kept: still declared in pages.yaml");
  }

  @Test
  void aManifestForAnotherNamespaceIsRefusedAndChangesNothing() throws IOException {
    Path file = dir.resolve("ns.yaml");
    Files.writeString(file, policy("n", 1));
    folder.apply(file);
    replaceAtomically(file, policy("n", 2).replace("name: n", "name: n, namespace: shop"));
    folder.apply(file);
    assertThat(maximumSize("n")).isEqualTo(1);
    assertThat(log).anySatisfy(line -> assertThat(line)
        .startsWith("cannot apply ns.yaml: document 1: metadata.namespace is \"shop\""));
  }

  private static String policy(String name, int maximumSize) {
    return "apiVersion: cacheplane.io/v1alpha1\nkind: CachePolicy\nmetadata: {name: " + name + "}\n"
        + "spec:\n  cache: {maximumSize: " + maximumSize + "}\n";
  }

  private void replaceAtomically(Path file, String content) throws IOException {
    Path tmp = Files.writeString(dir.resolve(".tmp"), content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static boolean exists(String name) {
    return client().resources(CachePolicy.class).inNamespace(NS).withName(name).get() != null;
  }

  private static long maximumSize(String name) {
    CachePolicy policy = client().resources(CachePolicy.class).inNamespace(NS).withName(name).get();
    assertThat(policy).as("cachepolicy/%s", name).isNotNull();
    assertThat(policy.getSpec().getCache()).as("cachepolicy/%s spec.cache", name).isNotNull();
    return policy.getSpec().getCache().getMaximumSize();
  }

  private static KubernetesClient client() {
    return client;
  }
}

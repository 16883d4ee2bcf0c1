package io.cacheplane.agent.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.cacheplane.agent.state.EnvelopeStore.Loaded;
import io.cacheplane.agent.state.EnvelopeStore.Skipped;
import io.cacheplane.agent.state.EnvelopeStore.UnreadableFileException;
import io.cacheplane.agent.testing.Policies;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The state directory on a real file system (JUnit's temporary directories). */
class EnvelopeStoreTest {

  private static final String ROUTE = CacheplaneApi.KIND_ROUTE_POLICY;

  @TempDir
  Path dir;

  static StoredEnvelope entry(String uid, long sequence, String prefix) {
    var spec = Policies.routePolicy(Policies.route("r", prefix, false, "http://127.0.0.1:9", null, null));
    String yaml = EnvelopeCodec.encode(Policies.stable(ROUTE, "shop", uid, sequence, spec));
    return new StoredEnvelope("routepolicy-shop", ROUTE, uid, yaml);
  }

  private static String text(StoredEnvelope e) {
    return new String(EnvelopeStore.encode(e), StandardCharsets.UTF_8);
  }

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writtenEntriesReadBackUnchanged() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    StoredEnvelope a = entry("uid-a", 1, "/a");
    StoredEnvelope b = new StoredEnvelope("cachepolicy-pages", CacheplaneApi.KIND_CACHE_POLICY, "uid-b",
        EnvelopeCodec.encode(Policies.stable(CacheplaneApi.KIND_CACHE_POLICY, "pages", "uid-b", 4,
            Policies.cachePolicy(10L, "1m", null, null))));
    store.write(a);
    store.write(b);

    Loaded loaded = store.load();
    assertThat(loaded.skipped()).isEmpty();
    assertThat(loaded.envelopes()).containsExactlyInAnyOrder(a, b);
    assertThat(names()).containsExactlyInAnyOrder(EnvelopeStore.fileName(ROUTE, "uid-a"),
        EnvelopeStore.fileName(CacheplaneApi.KIND_CACHE_POLICY, "uid-b"));
  }

  @Test
  void aWriteReplacesThePreviousFileWholeAndLeavesNoTemporaryFile() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    store.write(entry("uid-a", 1, "/old"));
    StoredEnvelope newer = entry("uid-a", 2, "/new");
    store.write(newer);

    assertThat(names()).containsExactly(EnvelopeStore.fileName(ROUTE, "uid-a"));
    assertThat(store.load().envelopes()).containsExactly(newer);
    assertThat(Files.readString(dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-a")))).isEqualTo(text(newer));
  }

  @Test
  void deleteRemovesTheFileAndIgnoresAMissingOne() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    store.write(entry("uid-a", 1, "/a"));
    store.delete(ROUTE, "uid-a");
    store.delete(ROUTE, "uid-a");
    assertThat(names()).isEmpty();
  }

  @Test
  void aMissingDirectoryIsEmptyAndCreatedByTheFirstWrite() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir.resolve("not/yet"));
    assertThat(store.load()).isEqualTo(new Loaded(List.of(), List.of()));
    store.write(entry("uid-a", 1, "/a"));
    assertThat(store.load().envelopes()).hasSize(1);
  }

  @Test
  void fileNamesComeFromKindAndAHashOfTheUidOnly() {
    String hostile = EnvelopeStore.fileName(ROUTE, "../../etc/passwd");
    assertThat(hostile).matches("routepolicy-[0-9a-f]{64}\\.json").doesNotContain("/").doesNotContain("..");
    assertThat(EnvelopeStore.fileName(ROUTE, "a")).isNotEqualTo(EnvelopeStore.fileName(ROUTE, "b"))
        .isNotEqualTo(EnvelopeStore.fileName(CacheplaneApi.KIND_CACHE_POLICY, "a"));
    assertThatThrownBy(() -> EnvelopeStore.fileName("Secret", "a")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("CachePolicy or RoutePolicy");
    assertThatThrownBy(() -> EnvelopeStore.fileName(ROUTE, " ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EnvelopeStore.encode(new StoredEnvelope("../x", ROUTE, "u", "e")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a ConfigMap name");
  }

  /** Rewrites a valid file's JSON object. */
  private static String edited(StoredEnvelope e, UnaryOperator<Map<String, Object>> edit) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = Json.JSON.readValue(EnvelopeStore.encode(e), LinkedHashMap.class);
      return Json.JSON.writeValueAsString(edit.apply(m));
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
  }

  /** Same content, checksum recomputed, so only the envelope check can refuse it. */
  private static String withEnvelope(StoredEnvelope e, String envelope) {
    return edited(e, m -> {
      m.put("envelope", envelope);
      m.put("sha256", EnvelopeStore.checksum(e.configMapName(), envelope));
      return m;
    });
  }

  static Stream<Arguments> unusableContent() {
    StoredEnvelope good = entry("uid-a", 1, "/a");
    String valid = text(good);
    return Stream.of(
        Arguments.of("empty", "", "empty file"),
        Arguments.of("truncated", valid.substring(0, valid.length() / 2), "truncated or corrupt"),
        Arguments.of("garbage", "\u0000\u0001 not json", "truncated or corrupt"),
        Arguments.of("a JSON array", "[1,2]", "truncated or corrupt"),
        Arguments.of("checksum mismatch", valid.replace("/a", "/b"), "checksum mismatch"),
        Arguments.of("checksum missing", edited(good, m -> {
          m.remove("sha256");
          return m;
        }), "sha256 is missing"),
        Arguments.of("another format", edited(good, m -> {
          m.put("format", "something-else");
          return m;
        }), "format is not"),
        Arguments.of("unknown file schemaVersion", edited(good, m -> {
          m.put("schemaVersion", 2);
          return m;
        }), "schemaVersion 2 is not supported"),
        Arguments.of("duplicate key", valid.replace("{\"format\"", "{\"sha256\":\"x\",\"format\"")
            .replaceFirst("\"format\"", "\"format\":\"" + EnvelopeStore.FORMAT + "\",\"format\""), "truncated or corrupt"),
        Arguments.of("hostile ConfigMap name", edited(good, m -> {
          m.put("configMapName", "../../x");
          m.put("sha256", EnvelopeStore.checksum("../../x", good.envelope()));
          return m;
        }), "not a ConfigMap name"),
        Arguments.of("unknown envelope schemaVersion",
            withEnvelope(good, good.envelope().replace("schemaVersion: 1", "schemaVersion: 9")),
            "UnsupportedSchemaVersion"),
        Arguments.of("envelope not YAML", withEnvelope(good, "kind: [unterminated"), "MalformedEnvelope"),
        Arguments.of("envelope of another kind", withEnvelope(good, good.envelope()
            .replaceFirst("(?m)^kind: \"?RoutePolicy\"?$", "kind: ConfigMap")), "envelope"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("unusableContent")
  void unusableFilesAreSkippedWithTheirReasonAndLeftInPlace(String what, String content, String reason)
      throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    StoredEnvelope other = entry("uid-b", 1, "/b");
    store.write(other);
    Path file = dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-a"));
    Files.writeString(file, content);

    Loaded loaded = store.load();
    assertThat(loaded.envelopes()).as("the other policy still loads").containsExactly(other);
    assertThat(loaded.skipped()).singleElement().satisfies(s -> {
      assertThat(s.file()).isEqualTo(file);
      assertThat(s.reason()).contains(reason);
    });
    assertThat(Files.readString(file)).as("left in place").isEqualTo(content);
  }

  @Test
  void aFileLargerThanTheBoundIsSkippedUnread() throws Exception {
    Path file = dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-a"));
    byte[] huge = new byte[(int) EnvelopeStore.MAX_FILE_BYTES + 1];
    Arrays.fill(huge, (byte) ' ');
    Files.write(file, huge);
    assertThat(new EnvelopeStore(dir).load().skipped()).extracting(Skipped::reason)
        .containsExactly("larger than 2097152 bytes");
  }

  @Test
  void unexpectedNamesDirectoriesLinksAndMisplacedContentAreSkipped() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    StoredEnvelope good = entry("uid-a", 1, "/a");
    store.write(good);
    Path goodFile = dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-a"));
    Files.copy(goodFile, dir.resolve("notes.txt"));
    Files.copy(goodFile, dir.resolve("routepolicy-abc.json"));
    Path misplaced = dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-other"));
    Files.copy(goodFile, misplaced);
    Path directory = Files.createDirectory(dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-dir")));
    Path link = Files.createSymbolicLink(dir.resolve(EnvelopeStore.fileName(ROUTE, "uid-link")), goodFile);

    Loaded loaded = store.load();
    assertThat(loaded.envelopes()).containsExactly(good);
    Map<Path, String> reasons = new LinkedHashMap<>();
    loaded.skipped().forEach(s -> reasons.put(s.file(), s.reason()));
    assertThat(reasons).containsOnlyKeys(dir.resolve("notes.txt"), dir.resolve("routepolicy-abc.json"), misplaced,
        directory, link);
    assertThat(reasons.get(dir.resolve("notes.txt"))).isEqualTo("unexpected file name");
    assertThat(reasons.get(misplaced)).contains("belongs in " + goodFile.getFileName());
    assertThat(reasons.get(directory)).isEqualTo("not a regular file");
    assertThat(reasons.get(link)).isEqualTo("not a regular file");
  }

  @Test
  void temporaryFilesOfAnInterruptedWriteAreDeleted() throws Exception {
    EnvelopeStore store = new EnvelopeStore(dir);
    StoredEnvelope good = entry("uid-a", 1, "/a");
    store.write(good);
    Path leftover = dir.resolve("." + EnvelopeStore.fileName(ROUTE, "uid-a") + ".12345.tmp");
    Files.writeString(leftover, text(good).substring(0, 10));

    assertThat(store.load()).isEqualTo(new Loaded(List.of(good), List.of()));
    assertThat(leftover).doesNotExist();
  }

  @Test
  void aWriteIntoAPathThatIsNotADirectoryFailsAndChangesNothing() throws Exception {
    Path file = Files.writeString(dir.resolve("plain-file"), "x");
    EnvelopeStore store = new EnvelopeStore(file.resolve("state"));
    assertThatThrownBy(() -> store.write(entry("uid-a", 1, "/a"))).isInstanceOf(FileSystemException.class);
    assertThat(Files.readString(file)).isEqualTo("x");
  }

  @Test
  void aWriteIntoAReadOnlyDirectoryFailsAndKeepsThePreviousFile() throws Exception {
    assumeThat(System.getProperty("user.name")).as("root ignores directory permissions").isNotEqualTo("root");
    EnvelopeStore store = new EnvelopeStore(dir);
    StoredEnvelope old = entry("uid-a", 1, "/old");
    store.write(old);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
    try {
      assertThatThrownBy(() -> store.write(entry("uid-a", 2, "/new"))).isInstanceOf(AccessDeniedException.class);
      assertThatThrownBy(() -> store.delete(ROUTE, "uid-a")).isInstanceOf(AccessDeniedException.class);
      assertThat(store.load().envelopes()).containsExactly(old);
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Property(tries = 300)
  void decodingArbitraryBytesFailsOnlyWithAReason(@ForAll byte[] bytes) {
    try {
      EnvelopeStore.decode(bytes);
    } catch (UnreadableFileException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }
}

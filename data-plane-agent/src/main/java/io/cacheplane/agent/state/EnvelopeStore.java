package io.cacheplane.agent.state;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.cacheplane.api.contract.Envelope;
import io.cacheplane.api.contract.EnvelopeCodec;
import io.cacheplane.api.contract.EnvelopeException;
import io.cacheplane.api.contract.Json;
import io.cacheplane.api.contract.Revisions;
import io.cacheplane.api.v1alpha1.CacheplaneApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * A directory of last-known-good envelopes, one file per policy (kind + uid). Plain file I/O, no agent logic; see
 * {@link LastKnownGood} for how an agent uses it and {@code docs/last-known-good.md} for the format.
 *
 * <p><b>File name</b>: {@code <kind in lower case>-<SHA-256 of the uid, 64 hex>.json}, e.g.
 * {@code routepolicy-3f1c…e9.json}: never derived from a name or uid directly, so no input can reach outside the
 * directory or collide with another policy's file.
 *
 * <p><b>Content</b>: one JSON object (UTF-8)
 * <pre>{@code
 * {"format":"cacheplane.io/last-known-good","schemaVersion":1,"configMapName":"routepolicy-shop",
 *  "sha256":"<64 hex>","envelope":"schemaVersion: 1\nkind: RoutePolicy\n..."}
 * }</pre>
 * where {@code sha256} is SHA-256 over the UTF-8 bytes of {@code configMapName + "\n" + envelope}.
 *
 * <p><b>Writes</b> are atomic: a temporary file in the same directory ({@code .<file name>.<random>.tmp}, mode 0600 on
 * POSIX), written and fsync'ed, then renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}, then the
 * directory is fsync'ed where the platform allows it (so the rename itself survives a power loss). A reader sees the
 * old file or the new one, never a mix.
 *
 * <p><b>Reads</b> ({@link #load()}) never throw for a bad file: each unusable file is reported as {@link Skipped} and
 * left in place (it is replaced by the next write for the same policy). Leftover temporary files of an interrupted
 * write are deleted.
 */
public final class EnvelopeStore {

  /** Value of the {@code format} field. */
  public static final String FORMAT = "cacheplane.io/last-known-good";
  /** The only {@code schemaVersion} of the file format this build reads and writes. */
  public static final int SCHEMA_VERSION = 1;
  /**
   * Largest file read, in bytes: 2 MiB. An envelope fits in a ConfigMap (at most 1 MiB), so a valid file is well
   * under this; anything larger is skipped unread.
   */
  public static final long MAX_FILE_BYTES = 2L * 1024 * 1024;

  private static final Logger LOG = Logger.getLogger(EnvelopeStore.class);
  private static final Pattern FILE_NAME = Pattern.compile("(cachepolicy|routepolicy)-[0-9a-f]{64}\\.json");
  private static final Pattern TEMP_FILE_NAME = Pattern.compile("\\.(cachepolicy|routepolicy)-[0-9a-f]{64}\\.json\\..*\\.tmp");
  /** Kubernetes object names: a DNS-1123 subdomain. */
  private static final Pattern CONFIG_MAP_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final Path dir;

  /** @param dir the state directory; created on the first write when missing */
  public EnvelopeStore(Path dir) {
    this.dir = Objects.requireNonNull(dir, "dir");
  }

  /** The state directory. */
  public Path dir() {
    return dir;
  }

  /** A file that {@link #load()} could not use, and why. */
  public record Skipped(Path file, String reason) {}

  /** What {@link #load()} found: usable entries sorted by file name, and the files it skipped. */
  public record Loaded(List<StoredEnvelope> envelopes, List<Skipped> skipped) {}

  /** The file content could not be used; the message says why. */
  public static final class UnreadableFileException extends Exception {
    UnreadableFileException(String message) {
      super(message);
    }
  }

  /** The file's JSON object. Field order is the order written. */
  @JsonPropertyOrder({"format", "schemaVersion", "configMapName", "sha256", "envelope"})
  record FileContent(String format, Integer schemaVersion, String configMapName, String sha256, String envelope) {}

  /**
   * The file name of a policy's entry.
   *
   * @throws IllegalArgumentException when the kind is neither CachePolicy nor RoutePolicy, or the uid is blank
   */
  public static String fileName(String kind, String uid) {
    if (!CacheplaneApi.KIND_CACHE_POLICY.equals(kind) && !CacheplaneApi.KIND_ROUTE_POLICY.equals(kind)) {
      throw new IllegalArgumentException("kind must be " + CacheplaneApi.KIND_CACHE_POLICY + " or "
          + CacheplaneApi.KIND_ROUTE_POLICY + ", got " + kind);
    }
    if (uid == null || uid.isBlank()) {
      throw new IllegalArgumentException("uid must not be blank");
    }
    return kind.toLowerCase(Locale.ROOT) + "-" + Revisions.sha256Hex(uid) + ".json";
  }

  /** The checksum written in a file: SHA-256 (hex) over {@code configMapName + "\n" + envelope}. */
  public static String checksum(String configMapName, String envelope) {
    return Revisions.sha256Hex(configMapName + "\n" + envelope);
  }

  /**
   * The bytes of an entry's file.
   *
   * @throws IllegalArgumentException when the ConfigMap name is not a DNS-1123 subdomain
   */
  public static byte[] encode(StoredEnvelope e) {
    if (!CONFIG_MAP_NAME.matcher(e.configMapName()).matches()) {
      throw new IllegalArgumentException("not a ConfigMap name: " + e.configMapName());
    }
    FileContent c = new FileContent(FORMAT, SCHEMA_VERSION, e.configMapName(), checksum(e.configMapName(), e.envelope()),
        e.envelope());
    try {
      return Json.JSON.writeValueAsBytes(c);
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot serialise a last-known-good entry", ex);
    }
  }

  /**
   * Reads a file's bytes back: checks the format, schema version, ConfigMap name and checksum, then decodes the
   * envelope ({@link EnvelopeCodec#decode}) for its kind and uid.
   *
   * @throws UnreadableFileException when any check fails (the message says which)
   */
  public static StoredEnvelope decode(byte[] bytes) throws UnreadableFileException {
    if (bytes.length == 0) {
      throw new UnreadableFileException("empty file");
    }
    if (bytes.length > MAX_FILE_BYTES) {
      throw new UnreadableFileException("larger than " + MAX_FILE_BYTES + " bytes");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException ex) {
      throw new UnreadableFileException("not UTF-8");
    }
    FileContent c;
    try {
      c = Json.JSON.readValue(text, FileContent.class);
    } catch (JsonProcessingException ex) {
      throw new UnreadableFileException("not a last-known-good JSON object (truncated or corrupt): "
          + ex.getOriginalMessage());
    }
    if (c == null || !FORMAT.equals(c.format())) {
      throw new UnreadableFileException("format is not " + FORMAT);
    }
    if (!Objects.equals(c.schemaVersion(), SCHEMA_VERSION)) {
      throw new UnreadableFileException("schemaVersion " + c.schemaVersion() + " is not supported; this agent reads "
          + SCHEMA_VERSION);
    }
    if (c.configMapName() == null || !CONFIG_MAP_NAME.matcher(c.configMapName()).matches()) {
      throw new UnreadableFileException("configMapName is missing or not a ConfigMap name");
    }
    if (c.envelope() == null || c.sha256() == null) {
      throw new UnreadableFileException("envelope or sha256 is missing");
    }
    if (!checksum(c.configMapName(), c.envelope()).equals(c.sha256())) {
      throw new UnreadableFileException("checksum mismatch");
    }
    Envelope env;
    try {
      env = EnvelopeCodec.decode(c.envelope());
    } catch (EnvelopeException ex) {
      throw new UnreadableFileException("envelope: " + ex.reason() + ": " + ex.getMessage());
    }
    try {
      fileName(env.kind(), env.uid());
    } catch (IllegalArgumentException ex) {
      throw new UnreadableFileException("envelope: " + ex.getMessage());
    }
    return new StoredEnvelope(c.configMapName(), env.kind(), env.uid(), c.envelope());
  }

  /**
   * Writes (creates or atomically replaces) the entry of {@code e.kind()}/{@code e.uid()}; creates the directory when
   * missing.
   *
   * @throws IOException when the directory cannot be created or written (read-only, disk full, permission denied);
   *     the previous file, if any, is then untouched
   * @throws IllegalArgumentException when the kind, uid or ConfigMap name cannot be stored
   */
  public void write(StoredEnvelope e) throws IOException {
    Path target = dir.resolve(fileName(e.kind(), e.uid()));
    byte[] bytes = encode(e);
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    syncDirectory();
  }

  /**
   * Deletes the entry of {@code kind}/{@code uid}; nothing when there is none.
   *
   * @throws IOException when the file exists but cannot be deleted
   */
  public void delete(String kind, String uid) throws IOException {
    if (Files.deleteIfExists(dir.resolve(fileName(kind, uid)))) {
      syncDirectory();
    }
  }

  /**
   * Reads every entry of the directory. A missing directory is empty. Files whose name is not an entry's name,
   * that are not regular files (directories, symbolic links), empty, larger than {@link #MAX_FILE_BYTES}, not the
   * JSON object described above, of another schema version, with a wrong checksum, whose envelope cannot be decoded,
   * or whose content belongs to another file name are {@link Skipped} and left in place.
   *
   * @throws IOException when the directory exists but cannot be listed
   */
  public Loaded load() throws IOException {
    List<StoredEnvelope> found = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    TreeSet<Path> files = new TreeSet<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(files::add);
    } catch (NoSuchFileException e) {
      return new Loaded(List.of(), List.of());
    }
    for (Path file : files) {
      String name = file.getFileName().toString();
      if (TEMP_FILE_NAME.matcher(name).matches()) {
        deleteLeftover(file);
        continue;
      }
      if (!FILE_NAME.matcher(name).matches()) {
        skipped.add(new Skipped(file, "unexpected file name"));
        continue;
      }
      try {
        StoredEnvelope e = decode(read(file));
        if (!name.equals(fileName(e.kind(), e.uid()))) {
          skipped.add(new Skipped(file, "content is " + e.kind() + " uid " + e.uid() + ", which belongs in "
              + fileName(e.kind(), e.uid())));
          continue;
        }
        found.add(e);
      } catch (UnreadableFileException ex) {
        skipped.add(new Skipped(file, ex.getMessage()));
      } catch (IOException ex) {
        skipped.add(new Skipped(file, "cannot read: " + ex));
      }
    }
    return new Loaded(List.copyOf(found), List.copyOf(skipped));
  }

  /** At most {@link #MAX_FILE_BYTES} + 1 bytes of a regular file (links are not followed). */
  private static byte[] read(Path file) throws IOException, UnreadableFileException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new UnreadableFileException("not a regular file");
    }
    if (a.size() > MAX_FILE_BYTES) {
      throw new UnreadableFileException("larger than " + MAX_FILE_BYTES + " bytes");
    }
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      return in.readNBytes((int) MAX_FILE_BYTES + 1);
    }
  }

  private static void deleteLeftover(Path file) {
    try {
      Files.deleteIfExists(file);
      LOG.infof("deleted %s, left over by an interrupted write", file);
    } catch (IOException e) {
      LOG.warnf("cannot delete %s, left over by an interrupted write: %s", file, e);
    }
  }

  /** fsync of the directory, so a rename or delete is durable; not every platform can open a directory (Windows). */
  private void syncDirectory() {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      LOG.debugf("cannot fsync the directory %s (%s); the rename is still atomic", dir, e.getMessage());
    }
  }
}

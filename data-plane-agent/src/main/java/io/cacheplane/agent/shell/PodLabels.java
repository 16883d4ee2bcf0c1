package io.cacheplane.agent.shell;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the pod's labels from a Downward API volume file: one {@code key="value"} per line, the value quoted as Go's
 * {@code %q} writes it (backslash escapes {@code \"}, {@code \\}, {@code \n}, {@code \t}). Blank lines and lines
 * without {@code =} are skipped.
 */
public final class PodLabels {

  private PodLabels() {}

  /**
   * @return the labels; empty when the file does not exist (e.g. outside a cluster)
   * @throws IOException when the file exists but cannot be read
   */
  public static Map<String, String> read(Path file) throws IOException {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Map.of();
    }
  }

  /** Parses the file's content; see the class comment for the format. */
  public static Map<String, String> parse(String content) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String raw : content.split("\n")) {
      String line = raw.strip();
      int eq = line.indexOf('=');
      if (line.isEmpty() || eq <= 0) {
        continue;
      }
      String key = line.substring(0, eq).strip();
      String value = line.substring(eq + 1).strip();
      labels.put(key, unquote(value));
    }
    return Map.copyOf(labels);
  }

  private static String unquote(String v) {
    if (v.length() < 2 || v.charAt(0) != '"' || v.charAt(v.length() - 1) != '"') {
      return v;
    }
    StringBuilder out = new StringBuilder(v.length());
    for (int i = 1; i < v.length() - 1; i++) {
      char c = v.charAt(i);
      if (c == '\\' && i + 1 < v.length() - 1) {
        char n = v.charAt(++i);
        out.append(switch (n) {
          case 'n' -> '\n';
          case 't' -> '\t';
          case 'r' -> '\r';
          default -> n;
        });
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

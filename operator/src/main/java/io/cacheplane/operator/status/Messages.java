package io.cacheplane.operator.status;

import java.util.List;

/** Bounded, human-readable condition messages. */
public final class Messages {

  /** Longest condition message written, in characters (Kubernetes allows 32768; kubectl output stays readable). */
  public static final int MAX_LENGTH = 1024;

  private Messages() {}

  /**
   * Joins items with {@code "; "} after {@code prefix}, stopping before {@link #MAX_LENGTH} and saying how many were
   * left out ({@code "... and 3 more"}).
   */
  public static String joinBounded(String prefix, List<String> items) {
    StringBuilder sb = new StringBuilder(prefix);
    for (int i = 0; i < items.size(); i++) {
      String sep = i == 0 ? "" : "; ";
      String more = "; ... and " + (items.size() - i) + " more";
      if (sb.length() + sep.length() + items.get(i).length() + more.length() > MAX_LENGTH) {
        if (i == 0) {
          return bounded(sb.append(items.get(0)).toString());
        }
        return sb.append(more).toString();
      }
      sb.append(sep).append(items.get(i));
    }
    return sb.toString();
  }

  /** Cuts text to {@link #MAX_LENGTH} characters, on one line. */
  public static String bounded(String text) {
    String line = text == null ? "" : text.replaceAll("\\s+", " ").trim();
    return line.length() <= MAX_LENGTH ? line : line.substring(0, MAX_LENGTH - 3) + "...";
  }
}

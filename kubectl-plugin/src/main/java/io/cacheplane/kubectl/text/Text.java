package io.cacheplane.kubectl.text;

import java.time.Duration;

/** Text helpers for output built from values the API server returns (which anyone with write access could set). */
public final class Text {

  private Text() {}

  /**
   * {@code s} safe for a terminal: control characters (C0, DEL, C1; so no escape sequences) become {@code ?}, and
   * text longer than {@code max} characters is cut with {@code …}. {@code null} becomes {@code -}.
   *
   * @param max the longest result, in characters (at least 1)
   */
  public static String safe(String s, int max) {
    if (s == null) {
      return "-";
    }
    StringBuilder b = new StringBuilder(Math.min(s.length(), max));
    for (int i = 0; i < s.length() && b.length() < max; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? '?' : c);
    }
    if (s.length() > max) {
      b.setLength(max - 1);
      b.append('…');
    }
    return b.toString();
  }

  /** {@link #safe(String, int)} with a bound of 2000 characters (enough for any condition message). */
  public static String safe(String s) {
    return safe(s, 2000);
  }

  /**
   * Go-style text of a duration, rounded down to seconds: {@code 0s}, {@code 45s}, {@code 1m30s}, {@code 2h0m5s};
   * negative durations are shown as {@code 0s}.
   */
  public static String duration(Duration d) {
    long s = Math.max(0, d.toSeconds());
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
    }
    if (s >= 60) {
      b.append(s % 3600 / 60).append('m');
    }
    return b.append(s % 60).append('s').toString();
  }

  /**
   * kubectl's short age: {@code 5s}, {@code 3m}, {@code 2h}, {@code 4d} (the largest whole unit); negative ages (a
   * clock ahead of ours) are {@code 0s}.
   */
  public static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172800) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}

package io.cacheplane.kubectl.text;

/** A text progress bar, e.g. {@code [#########-----------]  45%}; ASCII only, so any terminal and log shows it. */
public final class ProgressBar {

  /** Width of the bar between the brackets, in characters. */
  public static final int WIDTH = 20;

  private ProgressBar() {}

  /**
   * The bar for {@code done} of {@code total}, filled in proportion (rounded down, so it is full only when done),
   * followed by the percentage (rounded down).
   *
   * @param done units done; clamped to {@code 0..total}
   * @param total units in all; {@code <= 0} gives an empty bar at 0 %
   */
  public static String of(long done, long total) {
    long d = total <= 0 ? 0 : Math.max(0, Math.min(done, total));
    long t = Math.max(total, 1);
    // In doubles, so no product overflows; exact at both ends (0 and d == t).
    double fraction = d == t ? 1.0 : (double) d / t;
    int filled = Math.min(WIDTH, (int) Math.floor(fraction * WIDTH));
    long percent = Math.min(100, (long) Math.floor(fraction * 100));
    return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + String.format("%3d%%", percent);
  }
}

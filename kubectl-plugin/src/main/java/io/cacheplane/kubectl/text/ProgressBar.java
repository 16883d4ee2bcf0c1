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
    int filled = (int) (d * WIDTH / t);
    long percent = d * 100 / t;
    return "[" + "#".repeat(filled) + "-".repeat(WIDTH - filled) + "] " + String.format("%3d%%", percent);
  }
}

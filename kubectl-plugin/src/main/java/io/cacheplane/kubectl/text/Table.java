package io.cacheplane.kubectl.text;

import java.util.ArrayList;
import java.util.List;

/** A kubectl-style table: upper-case headers, columns padded to their widest cell, three spaces between columns. */
public final class Table {

  private Table() {}

  /**
   * The table's lines (header first, no trailing spaces).
   *
   * @param headers column names
   * @param rows each row has one cell per header (a {@code null} cell prints as {@code -})
   * @throws IllegalArgumentException when a row has another number of cells than there are headers
   */
  public static List<String> lines(List<String> headers, List<List<String>> rows) {
    int[] widths = new int[headers.size()];
    List<List<String>> all = new ArrayList<>();
    all.add(headers);
    all.addAll(rows);
    for (List<String> row : all) {
      if (row.size() != headers.size()) {
        throw new IllegalArgumentException("a row has " + row.size() + " cells for " + headers.size() + " columns");
      }
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], cell(row.get(i)).length());
      }
    }
    List<String> lines = new ArrayList<>();
    for (List<String> row : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String c = cell(row.get(i));
        b.append(c);
        if (i < row.size() - 1) {
          b.append(" ".repeat(widths[i] - c.length() + 3));
        }
      }
      lines.add(b.toString().stripTrailing());
    }
    return lines;
  }

  private static String cell(String s) {
    return s == null ? "-" : s;
  }
}

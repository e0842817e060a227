package io.bosun.cli.output;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Columns padded to the widest cell plus three spaces, as kubectl's tabwriter prints them. Widths
 * are measured before colouring, so escape codes never shift a column.
 */
public final class TableWriter {

  private final List<String[]> rows = new ArrayList<>();
  private final List<UnaryOperator<String>> painters = new ArrayList<>();

  public TableWriter header(String... cells) {
    return row(cells);
  }

  public TableWriter row(String... cells) {
    rows.add(cells);
    return this;
  }

  public TableWriter row(List<String> cells) {
    return row(cells.toArray(new String[0]));
  }

  /** Colours column {@code col} of data rows (not the header) with {@code painter}. */
  public TableWriter paint(int col, UnaryOperator<String> painter) {
    while (painters.size() <= col) {
      painters.add(null);
    }
    painters.set(col, painter);
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  /** Column widths, for printing more rows later in the same layout (watch). */
  public int[] widths() {
    int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
    int[] w = new int[cols];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        w[i] = Math.max(w[i], length(r[i]));
      }
    }
    return w;
  }

  public void print(PrintStream out, boolean firstIsHeader) {
    print(out, firstIsHeader, widths());
  }

  public void print(PrintStream out, boolean firstIsHeader, int[] widths) {
    for (int r = 0; r < rows.size(); r++) {
      out.println(line(rows.get(r), widths, firstIsHeader && r == 0));
    }
  }

  private String line(String[] cells, int[] widths, boolean header) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < cells.length; i++) {
      String c = cells[i] == null ? "" : cells[i];
      String shown = !header && i < painters.size() && painters.get(i) != null ? painters.get(i).apply(c) : c;
      sb.append(shown);
      if (i < cells.length - 1) {
        int w = i < widths.length ? widths[i] : length(c);
        sb.append(" ".repeat(Math.max(0, w - length(c)) + 3));
      }
    }
    return sb.toString().stripTrailing();
  }

  private static int length(String s) {
    return s == null ? 0 : s.codePointCount(0, s.length());
  }
}

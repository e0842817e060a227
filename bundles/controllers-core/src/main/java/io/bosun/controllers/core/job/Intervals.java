package io.bosun.controllers.core.job;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * Ordered, disjoint, non-adjacent intervals of completion indexes, as upstream's
 * {@code orderedIntervals}: the form of {@code status.completedIndexes} and
 * {@code status.failedIndexes} ({@code "1,3-5,7"}; two adjacent indexes print as {@code "3,4"}).
 * Immutable.
 */
record Intervals(List<Interval> list) {

  record Interval(int first, int last) {}

  static final Intervals EMPTY = new Intervals(List.of());

  Intervals {
    list = List.copyOf(list);
  }

  /**
   * Parses {@code text}, dropping intervals at or beyond {@code completions} and clipping the last;
   * malformed parts are skipped, as upstream does.
   */
  static Intervals parse(String text, int completions) {
    if (text == null || text.isEmpty()) {
      return EMPTY;
    }
    List<Interval> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String[] limits = part.split("-");
      int first;
      int last;
      try {
        first = Integer.parseInt(limits[0]);
        if (first >= completions) {
          break;
        }
        last = limits.length > 1 ? Math.min(Integer.parseInt(limits[1]), completions - 1) : first;
      } catch (NumberFormatException e) {
        continue;
      }
      if (!out.isEmpty() && out.get(out.size() - 1).last() == first - 1) {
        out.set(out.size() - 1, new Interval(out.get(out.size() - 1).first(), last));
      } else {
        out.add(new Interval(first, last));
      }
    }
    return new Intervals(out);
  }

  /** These intervals plus the given indexes. */
  Intervals with(Collection<Integer> indexes) {
    List<Interval> single = new ArrayList<>();
    for (int ix : new TreeSet<>(indexes)) {
      single.add(new Interval(ix, ix));
    }
    return merge(new Intervals(single));
  }

  /** The union of both. */
  Intervals merge(Intervals other) {
    List<Interval> result = new ArrayList<>();
    int i = 0;
    int j = 0;
    List<Interval> a = list;
    List<Interval> b = other.list;
    while (i < a.size() || j < b.size()) {
      Interval next;
      if (j >= b.size() || (i < a.size() && a.get(i).first() < b.get(j).first())) {
        next = a.get(i++);
      } else {
        next = b.get(j++);
      }
      if (result.isEmpty() || next.first() > result.get(result.size() - 1).last() + 1) {
        result.add(next);
      } else if (result.get(result.size() - 1).last() < next.last()) {
        Interval last = result.get(result.size() - 1);
        result.set(result.size() - 1, new Interval(last.first(), next.last()));
      }
    }
    return new Intervals(result);
  }

  /** How many indexes these intervals hold. */
  int total() {
    int n = 0;
    for (Interval iv : list) {
      n += iv.last() - iv.first() + 1;
    }
    return n;
  }

  /** Whether {@code ix} is in one of the intervals. */
  boolean has(int ix) {
    for (Interval iv : list) {
      if (iv.first() <= ix && ix <= iv.last()) {
        return true;
      }
    }
    return false;
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  /** Upstream's rendering: {@code 1,3-5,7}; a two-index interval as {@code 3,4}. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (Interval v : list) {
      if (!b.isEmpty()) {
        b.append(',');
      }
      b.append(v.first());
      if (v.last() > v.first()) {
        b.append(v.last() == v.first() + 1 ? ',' : '-').append(v.last());
      }
    }
    return b.toString();
  }
}

package io.bosun.scheduler.plugins.podtopologyspread;

import io.bosun.scheduler.spi.StateData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What PreFilter computes for Filter, as upstream's {@code preFilterState}: per hard constraint, the
 * number of matching pods in each topology domain and the two domains with the fewest ("critical
 * paths"), from which the global minimum is read in O(1).
 *
 * <p>Filter reads it concurrently under the read lock; the PreFilter extensions update a
 * {@link #copy()} (one per evaluated node) under the write lock.
 */
final class PreFilterState implements StateData {

  final List<Constraint> constraints;
  final CriticalPaths[] paths;
  final List<Map<String, Integer>> matchNum;
  final ReadWriteLock lock = new ReentrantReadWriteLock();

  PreFilterState(List<Constraint> constraints, CriticalPaths[] paths, List<Map<String, Integer>> matchNum) {
    this.constraints = constraints;
    this.paths = paths;
    this.matchNum = matchNum;
  }

  static PreFilterState empty() {
    return new PreFilterState(List.of(), new CriticalPaths[0], List.of());
  }

  /**
   * The global minimum for the skew of constraint {@code i}: the smallest domain count, or 0 while
   * fewer than {@code minDomains} domains exist. Call with the read lock held.
   */
  int minMatchNum(int i, int minDomains) {
    if (matchNum.get(i).size() < minDomains) {
      return 0;
    }
    return paths[i].minNum();
  }

  /** Adds {@code delta} pods to domain {@code value} of constraint {@code i}. Call with the write lock held. */
  void update(int i, String value, int delta) {
    int n = matchNum.get(i).merge(value, delta, Integer::sum);
    paths[i].update(value, n);
  }

  @Override
  public StateData copy() {
    lock.readLock().lock();
    try {
      CriticalPaths[] p = new CriticalPaths[paths.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = paths[i].copy();
      }
      List<Map<String, Integer>> m = new ArrayList<>(matchNum.size());
      for (Map<String, Integer> x : matchNum) {
        m.add(new HashMap<>(x));
      }
      return new PreFilterState(constraints, p, m);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Upstream's {@code criticalPaths}: two (domain, count) entries where entry 0 always holds the
   * minimum count; entry 1 is at least entry 0, not necessarily the second minimum. Sufficient
   * because preemption removes pods from one node per state copy.
   */
  static final class CriticalPaths {
    final String[] value = new String[2];
    final int[] num = {Integer.MAX_VALUE, Integer.MAX_VALUE};

    int minNum() {
      return num[0];
    }

    void update(String tpVal, int n) {
      int i = -1;
      if (tpVal.equals(value[0])) {
        i = 0;
      } else if (tpVal.equals(value[1])) {
        i = 1;
      }
      if (i >= 0) {
        num[i] = n;
        if (num[0] > num[1]) {
          swap();
        }
      } else if (n < num[0]) {
        value[1] = value[0];
        num[1] = num[0];
        value[0] = tpVal;
        num[0] = n;
      } else if (n < num[1]) {
        value[1] = tpVal;
        num[1] = n;
      }
    }

    private void swap() {
      String v = value[0];
      value[0] = value[1];
      value[1] = v;
      int n = num[0];
      num[0] = num[1];
      num[1] = n;
    }

    CriticalPaths copy() {
      CriticalPaths c = new CriticalPaths();
      System.arraycopy(value, 0, c.value, 0, 2);
      System.arraycopy(num, 0, c.num, 0, 2);
      return c;
    }

    @Override
    public String toString() {
      return "[{" + value[0] + " " + num[0] + "} {" + value[1] + " " + num[1] + "}]";
    }
  }
}

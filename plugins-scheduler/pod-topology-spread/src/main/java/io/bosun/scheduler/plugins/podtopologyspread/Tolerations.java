package io.bosun.scheduler.plugins.podtopologyspread;

import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import java.util.List;

/**
 * Taint/toleration matching as upstream's {@code corev1} helpers (kept private to this bundle so the
 * plugin depends on the SPI and the API model only).
 */
final class Tolerations {

  static final String NO_SCHEDULE = "NoSchedule";
  static final String NO_EXECUTE = "NoExecute";
  static final String PREFER_NO_SCHEDULE = "PreferNoSchedule";

  private Tolerations() {
  }

  /**
   * Whether {@code t} tolerates {@code taint}, as upstream's {@code Toleration.ToleratesTaint}: an
   * empty effect matches every effect, an empty key (with {@code Exists}) every key; operator
   * {@code Exists} ignores the value, {@code Equal} (or none) compares it; any other operator
   * tolerates nothing.
   */
  static boolean tolerates(Toleration t, Taint taint) {
    if (!empty(t.getEffect()) && !t.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (!empty(t.getKey()) && !t.getKey().equals(taint.getKey())) {
      return false;
    }
    String op = t.getOperator() == null ? "" : t.getOperator();
    return switch (op) {
      case "", "Equal" -> nz(t.getValue()).equals(nz(taint.getValue()));
      case "Exists" -> true;
      default -> false;
    };
  }

  /** Whether any of {@code tolerations} (null: none) tolerates {@code taint}. */
  static boolean anyTolerates(List<Toleration> tolerations, Taint taint) {
    if (tolerations != null) {
      for (Toleration t : tolerations) {
        if (tolerates(t, taint)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The first {@code NoSchedule} or {@code NoExecute} taint none of {@code tolerations} tolerates,
   * or null, as upstream's {@code FindMatchingUntoleratedTaint} with
   * {@code DoNotScheduleTaintsFilterFunc}.
   */
  static Taint firstUntoleratedDoNotSchedule(List<Taint> taints, List<Toleration> tolerations) {
    if (taints == null) {
      return null;
    }
    for (Taint taint : taints) {
      if ((NO_SCHEDULE.equals(taint.getEffect()) || NO_EXECUTE.equals(taint.getEffect()))
          && !anyTolerates(tolerations, taint)) {
        return taint;
      }
    }
    return null;
  }

  private static boolean empty(String s) {
    return s == null || s.isEmpty();
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}

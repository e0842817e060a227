package io.bosun.controllers.core.internal;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Taints and tolerations as upstream's {@code v1helper} and {@code controller_utils.go} read and write them. */
public final class Taints {

  public static final String NOT_READY = "node.kubernetes.io/not-ready";
  public static final String UNREACHABLE = "node.kubernetes.io/unreachable";
  public static final String UNSCHEDULABLE = "node.kubernetes.io/unschedulable";
  public static final String MEMORY_PRESSURE = "node.kubernetes.io/memory-pressure";
  public static final String DISK_PRESSURE = "node.kubernetes.io/disk-pressure";
  public static final String PID_PRESSURE = "node.kubernetes.io/pid-pressure";
  public static final String NETWORK_UNAVAILABLE = "node.kubernetes.io/network-unavailable";
  public static final String OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

  public static final String NO_EXECUTE = "NoExecute";
  public static final String NO_SCHEDULE = "NoSchedule";

  private Taints() {
  }

  /** Upstream's Toleration.ToleratesTaint: effect and key match when set; Equal compares values, Exists does not. */
  public static boolean tolerates(Toleration t, Taint taint) {
    if (t.getEffect() != null && !t.getEffect().isEmpty() && !t.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (t.getKey() != null && !t.getKey().isEmpty() && !t.getKey().equals(taint.getKey())) {
      return false;
    }
    String op = t.getOperator() == null ? "" : t.getOperator();
    return switch (op) {
      case "", "Equal" -> Objects.equals(nz(t.getValue()), nz(taint.getValue()));
      case "Exists" -> true;
      default -> false;
    };
  }

  /**
   * The toleration used for each taint (the first that tolerates it), or null if some taint is
   * not tolerated (upstream's GetMatchingTolerations).
   */
  public static List<Toleration> matchingTolerations(List<Taint> taints, List<Toleration> tolerations) {
    List<Toleration> used = new ArrayList<>();
    for (Taint taint : taints) {
      Toleration match = null;
      for (Toleration t : tolerations) {
        if (tolerates(t, taint)) {
          match = t;
          break;
        }
      }
      if (match == null) {
        return null;
      }
      used.add(match);
    }
    return used;
  }

  /** Whether {@code taints} holds one with this key and effect (upstream's TaintExists matches key and effect). */
  public static boolean has(List<Taint> taints, String key, String effect) {
    if (taints == null) {
      return false;
    }
    for (Taint t : taints) {
      if (key.equals(t.getKey()) && effect.equals(t.getEffect())) {
        return true;
      }
    }
    return false;
  }

  public static List<Taint> of(Node node) {
    return node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
  }

  /**
   * Adds {@code add} (NoExecute ones stamped with {@code timeAdded} now) and removes
   * {@code remove} (by key and effect) on the node, re-reading and retrying on conflicts (upstream's
   * SwapNodeControllerTaint).
   *
   * @return whether the node now has the wanted taints (false if it is gone or kept conflicting)
   */
  public static boolean swap(ResourceClient<Node> nodes, String name, List<Taint> add, List<Taint> remove, Instant now) {
    for (int attempt = 0; attempt < 5; attempt++) {
      Node node = nodes.get(null, name).orElse(null);
      if (node == null) {
        return false;
      }
      List<Taint> current = new ArrayList<>(of(node));
      boolean changed = false;
      for (Taint r : remove) {
        changed |= current.removeIf(t -> Objects.equals(t.getKey(), r.getKey()) && Objects.equals(t.getEffect(), r.getEffect()));
      }
      for (Taint a : add) {
        boolean exists = false;
        for (int i = 0; i < current.size(); i++) {
          Taint t = current.get(i);
          if (Objects.equals(t.getKey(), a.getKey()) && Objects.equals(t.getEffect(), a.getEffect())) {
            exists = true;
            if (!Objects.equals(nz(t.getValue()), nz(a.getValue()))) {
              current.set(i, stamp(a, now));
              changed = true;
            }
          }
        }
        if (!exists) {
          current.add(stamp(a, now));
          changed = true;
        }
      }
      if (!changed) {
        return true;
      }
      Node copy = node.deepCopy();
      if (copy.getSpec() == null) {
        copy.setSpec(new io.bosun.api.core.v1.NodeSpec());
      }
      copy.getSpec().setTaints(current.isEmpty() ? null : current);
      try {
        nodes.update(copy);
        return true;
      } catch (ClientStatusException e) {
        if (e.isNotFound()) {
          return false;
        }
        if (!e.isConflict()) {
          throw e;
        }
      }
    }
    return false;
  }

  private static Taint stamp(Taint t, Instant now) {
    Taint c = t.deepCopy();
    if (NO_EXECUTE.equals(c.getEffect()) && c.getTimeAdded() == null) {
      c.setTimeAdded(now);
    }
    return c;
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }
}

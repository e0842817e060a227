package io.bosun.scheduler.plugins.podtopologyspread;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.codec.DecodeException;
import io.bosun.api.codec.Decoded;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Upstream's {@code PodTopologySpreadArgs} with its defaults and validation:
 *
 * <pre>{@code
 * defaultingType: System      # System: upstream's built-in defaults; List: defaultConstraints
 * defaultConstraints: []      # only with List; constraints without labelSelector, applied to
 *                             # pods that have none, with a selector deduced from the pod's
 *                             # services, ReplicaSet or StatefulSet
 * }</pre>
 *
 * System defaults: {@code kubernetes.io/hostname} maxSkew 3 and
 * {@code topology.kubernetes.io/zone} maxSkew 5, both ScheduleAnyway. Immutable.
 *
 * @param defaultConstraints the constraints applied to pods without their own
 * @param systemDefaulted    whether they are the system defaults (nodes then need not carry every
 *                           topology key to be scored)
 */
record PodTopologySpreadArgs(List<TopologySpreadConstraint> defaultConstraints, boolean systemDefaulted) {

  static final String LABEL_HOSTNAME = "kubernetes.io/hostname";
  static final String LABEL_ZONE = "topology.kubernetes.io/zone";

  /** Upstream's {@code systemDefaultConstraints}. */
  static List<TopologySpreadConstraint> systemDefaults() {
    return List.of(
        new TopologySpreadConstraint().withTopologyKey(LABEL_HOSTNAME).withWhenUnsatisfiable(Constraint.SCHEDULE_ANYWAY).withMaxSkew(3),
        new TopologySpreadConstraint().withTopologyKey(LABEL_ZONE).withWhenUnsatisfiable(Constraint.SCHEDULE_ANYWAY).withMaxSkew(5));
  }

  /**
   * Parses and validates {@code args}.
   *
   * @throws IllegalArgumentException naming the invalid field
   */
  static PodTopologySpreadArgs parse(JsonNode args) {
    ArgsReader r = new ArgsReader(PodTopologySpread.NAME);
    JsonNode root = r.object("", args, "defaultConstraints", "defaultingType");
    String type = r.string(root, "", "defaultingType", "System");
    if (!type.equals("System") && !type.equals("List")) {
      throw r.error("defaultingType", "Unsupported value: \"" + type + "\": supported values: \"List\", \"System\"");
    }
    List<JsonNode> items = r.array(root, "", "defaultConstraints");
    if (type.equals("System")) {
      if (!items.isEmpty()) {
        throw r.error("defaultConstraints", "Invalid value: when .defaultingType is \"System\", .defaultConstraints must be empty");
      }
      return new PodTopologySpreadArgs(systemDefaults(), true);
    }
    ApiCodec codec = new ApiCodec();
    List<TopologySpreadConstraint> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "defaultConstraints[" + i + "]";
      TopologySpreadConstraint c;
      try {
        Decoded<TopologySpreadConstraint> d = codec.convert(items.get(i), TopologySpreadConstraint.class);
        if (!d.unknownFields().isEmpty()) {
          throw r.error(path, "unknown field \"" + d.unknownFields().get(0) + "\"");
        }
        c = d.value();
      } catch (DecodeException e) {
        throw r.error(path, e.getMessage());
      }
      if (c.getMaxSkew() == null || c.getMaxSkew() <= 0) {
        throw r.error(path + ".maxSkew", "Invalid value: " + c.getMaxSkew() + ": must be greater than zero");
      }
      if (c.getTopologyKey() == null || c.getTopologyKey().isEmpty()) {
        throw r.error(path + ".topologyKey", "Required value: can not be empty");
      }
      String when = c.getWhenUnsatisfiable();
      if (!Constraint.DO_NOT_SCHEDULE.equals(when) && !Constraint.SCHEDULE_ANYWAY.equals(when)) {
        throw r.error(path + ".whenUnsatisfiable", "Unsupported value: \"" + when
            + "\": supported values: \"DoNotSchedule\", \"ScheduleAnyway\"");
      }
      if (!seen.add(c.getTopologyKey() + "\u0000" + when)) {
        throw r.error(path, "Duplicate value: {" + c.getTopologyKey() + ", " + when + "}");
      }
      if (c.getLabelSelector() != null) {
        throw r.error(path + ".labelSelector", "Forbidden: constraint must not define a selector, as they deduced for each pod");
      }
      out.add(c);
    }
    return new PodTopologySpreadArgs(List.copyOf(out), false);
  }
}

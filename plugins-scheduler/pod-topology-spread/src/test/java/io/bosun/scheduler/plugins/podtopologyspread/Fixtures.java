package io.bosun.scheduler.plugins.podtopologyspread;

import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.TopologySpreadConstraint;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.scheduler.plugins.testkit.NodeBuilder;
import io.bosun.scheduler.plugins.testkit.PodBuilder;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;

/** Upstream's test vocabulary: nodes with "zone" and "node" labels, pods labelled foo / bar. */
final class Fixtures {

  static final LabelSelector FOO = PodBuilder.exists("foo");
  static final LabelSelector BAR = PodBuilder.exists("bar");

  private Fixtures() {
  }

  /** {@code node(name, "zone", "zone1", "node", name)}: a node with label pairs. */
  static Node node(String name, String... labels) {
    NodeBuilder b = NodeBuilder.node(name);
    for (int i = 0; i < labels.length; i += 2) {
      b.label(labels[i], labels[i + 1]);
    }
    return b.build();
  }

  /** An upstream-style node in {@code zone} with label node=name. */
  static Node zoned(String name, String zone) {
    return node(name, "zone", zone, "node", name);
  }

  /** A pod bound to {@code node} with the given label keys (empty values). */
  static Pod existing(String name, String node, String... labelKeys) {
    PodBuilder b = pod(name).node(node);
    for (String k : labelKeys) {
      b.label(k, "");
    }
    return b.build();
  }

  static TopologySpreadConstraint spread(int maxSkew, String key, String when, LabelSelector selector) {
    return new TopologySpreadConstraint().withMaxSkew(maxSkew).withTopologyKey(key).withWhenUnsatisfiable(when)
        .withLabelSelector(selector);
  }

  static PodTopologySpread plugin(String args, TestHandle handle) {
    return (PodTopologySpread) new PodTopologySpreadFactory().create(Scoring.args(args), handle);
  }

  /** The plugin with List defaulting and no default constraints, as upstream's filter tests. */
  static PodTopologySpread listPlugin(TestSnapshot snapshot) {
    return plugin("{\"defaultingType\":\"List\"}", new TestHandle().snapshot(snapshot));
  }
}

package io.bosun.scheduler.spi;

import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The nodes of the cycle's snapshot, as upstream's {@code framework.NodeInfoLister}. Implemented by
 * the framework; immutable for the duration of a scheduling cycle and safe to read from any thread.
 * Do not keep it beyond the cycle: the next cycle gets a new snapshot.
 */
@ProviderType
public interface NodeInfoLister {

  /** Every node, in the framework's evaluation order; unmodifiable. */
  List<NodeInfo> list();

  /** Nodes with at least one pod that has pod (anti-)affinity terms. */
  List<NodeInfo> havePodsWithAffinity();

  /** Nodes with at least one pod that has required anti-affinity terms. */
  List<NodeInfo> havePodsWithRequiredAntiAffinity();

  /** The node named {@code nodeName}, or null if the snapshot has none. */
  NodeInfo get(String nodeName);

  /** The number of nodes. */
  int size();
}

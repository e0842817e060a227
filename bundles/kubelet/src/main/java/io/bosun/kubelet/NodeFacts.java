package io.bosun.kubelet;

import io.bosun.api.values.Quantity;
import java.util.Map;

/** What pods need to know about their node. */
interface NodeFacts {

  /** The node's InternalIP. */
  String nodeIP();

  /** The node's allocatable resources. */
  Map<String, Quantity> allocatable();

  /** The Node object's uid; "" until it is registered. */
  String nodeUid();
}

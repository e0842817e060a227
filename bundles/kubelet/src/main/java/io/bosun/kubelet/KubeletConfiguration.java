package io.bosun.kubelet;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the kubelet (PID {@code io.bosun.kubelet}, e.g. {@code etc/io.bosun.kubelet.cfg}). */
@ObjectClassDefinition(name = "Bosun kubelet")
public @interface KubeletConfiguration {

  @AttributeDefinition(description = "The Node's name; empty: the framework property bosun.name, else the host name.")
  String nodeName() default "";

  @AttributeDefinition(description = "The default container runtime, by its bosun.runtime service property; "
      + "empty: the framework property bosun.node.runtime, else process.")
  String runtime() default "";

  @AttributeDefinition(description = "Extra RuntimeClass handlers: handler=runtime entries separated by commas.")
  String runtimeHandlers() default "";

  @AttributeDefinition(description = "Address of the kubelet's HTTP server (plain HTTP, no authentication: keep it on loopback).")
  String address() default "127.0.0.1";

  @AttributeDefinition(description = "Port of the kubelet's HTTP server (container logs); 0 for any free port. "
      + "If it is taken, a free port is used and reported in the Node's status.")
  int port() default 10250;

  @AttributeDefinition(description = "The node's InternalIP; empty: the local address that routes to the API server.")
  String nodeIP() default "";

  @AttributeDefinition(description = "Folder of pod volumes; empty: <bosun.data>/kubelet.")
  String rootDir() default "";

  @AttributeDefinition(description = "Folder of container logs; empty: <rootDir>/logs.")
  String podLogsDir() default "";

  @AttributeDefinition(description = "Labels added to the Node: key=value entries separated by commas.")
  String nodeLabels() default "";

  @AttributeDefinition(description = "Taints the Node registers with: key=value:Effect (or key:Effect) entries separated by commas.")
  String registerWithTaints() default "";

  @AttributeDefinition(description = "Label the Node node-role.kubernetes.io/control-plane: true, false, "
      + "or empty for true in an all-in-one runtime.")
  String controlPlaneRole() default "";

  @AttributeDefinition(description = "The Node's pods capacity.")
  int maxPods() default 110;

  @AttributeDefinition(description = "A folder of pod manifests run as static pods; empty for none.")
  String staticPodPath() default "";

  @AttributeDefinition(description = "Seconds between Node status posts.")
  int nodeStatusUpdateFrequencySeconds() default 10;

  @AttributeDefinition(description = "Duration of the node's Lease in seconds; it is renewed every quarter of it.")
  int nodeLeaseDurationSeconds() default 40;

  @AttributeDefinition(description = "Seconds between syncs of every pod without events.")
  int syncFrequencySeconds() default 60;

  @AttributeDefinition(description = "First container restart delay in seconds (CrashLoopBackOff), doubled per restart.")
  int crashLoopBackOffInitialSeconds() default 10;

  @AttributeDefinition(description = "Largest container restart delay in seconds.")
  int crashLoopBackOffMaxSeconds() default 300;

  @AttributeDefinition(description = "Size past which a container's log file is rotated (a quantity such as 10Mi).")
  String containerLogMaxSize() default "10Mi";

  @AttributeDefinition(description = "Log files kept per container, the current one included.")
  int containerLogMaxFiles() default 5;

  @AttributeDefinition(description = "Hard eviction thresholds: memory.available and nodefs.available, "
      + "each <quantity or <percent, separated by commas; empty for none.")
  String evictionHard() default "memory.available<100Mi,nodefs.available<10%";

  @AttributeDefinition(description = "Seconds a pressure condition stays after its signal recovered.")
  int evictionPressureTransitionPeriodSeconds() default 300;

  @AttributeDefinition(description = "Seconds the default container runtime may be missing or not ready, after it "
      + "was fine, before the node reports NotReady (upstream's maxWaitForContainerRuntime).")
  int runtimeDownGracePeriodSeconds() default 30;
}

package io.bosun.cni.bridge;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the bridge pod network (PID {@code io.bosun.cni.bridge}). */
@ObjectClassDefinition(name = "Bosun bridge pod network (CNI)")
public @interface BridgeNetworkConfig {

  @AttributeDefinition(description = "The pod subnet (the node's podCIDR) host-local hands addresses out of.")
  String subnet() default "10.88.0.0/16";

  @AttributeDefinition(description = "The node bridge (at most 15 characters).")
  String bridge() default "bosun0";

  @AttributeDefinition(description = "Masquerade pod traffic that leaves the pod subnet.")
  boolean ipMasq() default true;

  @AttributeDefinition(description = "MTU of the pod interfaces; 0 for the plugin's default.")
  int mtu() default 0;

  @AttributeDefinition(description = "Folders of the CNI plugin executables, separated by ':'.")
  String pluginDirs() default "/usr/lib/cni:/opt/cni/bin";

  @AttributeDefinition(description = "A folder whose first *.conflist replaces the built-in configuration; empty for none.")
  String confDir() default "";

  @AttributeDefinition(description = "Folder of cached results and address leases; empty: <bosun.data>/network/bridge, "
      + "else <java.io.tmpdir>/bosun-network-bridge.")
  String stateDir() default "";
}

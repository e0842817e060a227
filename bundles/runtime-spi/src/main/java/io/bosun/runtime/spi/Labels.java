package io.bosun.runtime.spi;

import java.util.Map;

/**
 * The labels and annotations the kubelet puts on sandboxes and containers, upstream's names. The
 * kubelet finds a pod's sandboxes and containers again by them after a restart, so runtimes must
 * store them and return them unchanged in {@link SandboxStatus} and {@link ContainerStatus}.
 */
public final class Labels {

  /** Label: the pod's name. */
  public static final String POD_NAME = "io.kubernetes.pod.name";
  /** Label: the pod's namespace. */
  public static final String POD_NAMESPACE = "io.kubernetes.pod.namespace";
  /** Label: the pod's uid; {@link SandboxFilter#ofPod} and {@link ContainerFilter#ofPod} select by it. */
  public static final String POD_UID = "io.kubernetes.pod.uid";
  /** Label: the container's name in the pod. */
  public static final String CONTAINER_NAME = "io.kubernetes.container.name";

  /** Annotation: a hash of the container's spec; a changed spec means a new container. */
  public static final String CONTAINER_HASH = "io.kubernetes.container.hash";
  /** Annotation: the container's restart count when it was created. */
  public static final String CONTAINER_RESTART_COUNT = "io.kubernetes.container.restartCount";
  /** Annotation: the container's {@code terminationMessagePath}. */
  public static final String TERMINATION_MESSAGE_PATH = "io.kubernetes.container.terminationMessagePath";
  /** Annotation: the pod's termination grace period in seconds. */
  public static final String POD_TERMINATION_GRACE_PERIOD = "io.kubernetes.pod.terminationGracePeriod";

  private Labels() {
  }

  /** Whether {@code labels} has every entry of {@code selector}. */
  public static boolean matches(Map<String, String> selector, Map<String, String> labels) {
    for (Map.Entry<String, String> e : selector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}

package io.bosun.kubelet;

/**
 * A container cannot be configured from what the pod refers to (a missing ConfigMap, Secret or key
 * that is not optional): upstream's {@code CreateContainerConfigError}, retried at the next sync.
 */
final class ConfigException extends Exception {

  private static final long serialVersionUID = 1L;

  static final String REASON = "CreateContainerConfigError";

  ConfigException(String message) {
    super(message);
  }
}

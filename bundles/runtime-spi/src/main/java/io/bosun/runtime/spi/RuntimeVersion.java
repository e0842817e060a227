package io.bosun.runtime.spi;

import java.util.Objects;

/**
 * Who the runtime is (CRI {@code Version}).
 *
 * @param runtimeName    such as {@code process}; appears in the Node's
 *                       {@code nodeInfo.containerRuntimeVersion} as {@code name://version}
 * @param runtimeVersion the implementation's version, such as {@code 0.1.0}
 * @param apiVersion     the version of this contract it implements ({@link ContainerRuntime#API_VERSION})
 */
public record RuntimeVersion(String runtimeName, String runtimeVersion, int apiVersion) {

  public RuntimeVersion {
    Objects.requireNonNull(runtimeName, "runtimeName");
    Objects.requireNonNull(runtimeVersion, "runtimeVersion");
  }

  /** {@code name://version}, as upstream's {@code containerRuntimeVersion} (e.g. {@code containerd://1.7.0}). */
  public String nodeInfo() {
    return runtimeName + "://" + runtimeVersion;
  }
}

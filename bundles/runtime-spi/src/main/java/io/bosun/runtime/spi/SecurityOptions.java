package io.bosun.runtime.spi;

import java.util.List;

/**
 * Who a container runs as and with which privileges (the parts of CRI
 * {@code LinuxContainerSecurityContext} pods express). Runtimes without isolation may ignore
 * what they cannot do; they say so in their documentation.
 *
 * @param runAsUser              uid to run as; null for the image's (or the runtime's) default
 * @param runAsGroup             gid to run as; null for the default
 * @param supplementalGroups     further gids
 * @param privileged             all capabilities and devices
 * @param readOnlyRootFilesystem the root filesystem is read-only
 * @param allowPrivilegeEscalation false sets no_new_privs
 * @param addCapabilities        capabilities to add, such as {@code NET_ADMIN}
 * @param dropCapabilities       capabilities to drop, such as {@code ALL}
 */
public record SecurityOptions(Long runAsUser, Long runAsGroup, List<Long> supplementalGroups, boolean privileged,
    boolean readOnlyRootFilesystem, boolean allowPrivilegeEscalation, List<String> addCapabilities,
    List<String> dropCapabilities) {

  /** Nothing asked for. */
  public static final SecurityOptions DEFAULT = new SecurityOptions(null, null, List.of(), false, false, true,
      List.of(), List.of());

  public SecurityOptions {
    supplementalGroups = supplementalGroups == null ? List.of() : List.copyOf(supplementalGroups);
    addCapabilities = addCapabilities == null ? List.of() : List.copyOf(addCapabilities);
    dropCapabilities = dropCapabilities == null ? List.of() : List.copyOf(dropCapabilities);
  }
}

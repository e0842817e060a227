package io.bosun.scheduler.spi;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The scheduler's snapshot of the cluster for one scheduling cycle, as upstream's
 * {@code framework.SharedLister}: nodes with the pods on them (including assumed pods), taken at
 * the start of the cycle. Implemented by the framework; read-only and thread-safe.
 */
@ProviderType
public interface SharedLister {

  /** The nodes. */
  NodeInfoLister nodeInfos();

  /**
   * Whether any pod in the snapshot uses the PersistentVolumeClaim {@code namespace/name} (as
   * upstream's {@code StorageInfoLister.IsPVCUsedByPods}).
   */
  boolean isClaimUsedByPods(String claimKey);
}

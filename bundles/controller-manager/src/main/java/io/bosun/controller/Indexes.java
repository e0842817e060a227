package io.bosun.controller;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.informer.IndexFunction;
import io.bosun.client.informer.Indexer;
import java.util.ArrayList;
import java.util.List;

/**
 * The indexes controllers share on the manager's informers, as upstream's
 * {@code controller.AddPodControllerUIDIndexer}. Use these instead of defining your own under the
 * same name: an index name means one function for every controller of the manager.
 *
 * <pre>{@code
 * SharedIndexInformer<Pod> pods = ctx.informer(Pod.class);
 * pods.indexer().addIndexer(Indexes.CONTROLLER_UID, Indexes.controllerUid());
 * List<Pod> mine = Indexes.ownedBy(pods.indexer(), replicaSet, true);
 * }</pre>
 */
public final class Indexes {

  /** Objects by the uid of their controller; orphans under {@code _ORPHAN/<namespace>}. */
  public static final String CONTROLLER_UID = "controllerUID";

  private static final String ORPHAN = "_ORPHAN/";

  private Indexes() {
  }

  /** The function of {@link #CONTROLLER_UID}; works for any kind. */
  public static IndexFunction<KubernetesObject> controllerUid() {
    return obj -> {
      var ref = ControllerRefs.controllerOf(obj);
      if (ref.isPresent()) {
        return List.of(ref.get().getUid());
      }
      ObjectMeta m = obj.getMetadata();
      return List.of(ORPHAN + (m == null || m.getNamespace() == null ? "" : m.getNamespace()));
    };
  }

  /**
   * The objects controlled by {@code owner} (by uid), plus, with {@code includeOrphans}, the
   * objects without a controller in the owner's namespace (candidates for adoption): upstream's
   * {@code FilterPodsByOwner}. Needs the {@link #CONTROLLER_UID} index on {@code indexer}.
   */
  public static <T extends KubernetesObject> List<T> ownedBy(Indexer<T> indexer, KubernetesObject owner,
      boolean includeOrphans) {
    ObjectMeta m = owner.getMetadata();
    List<T> out = new ArrayList<>(indexer.byIndex(CONTROLLER_UID, m.getUid()));
    if (includeOrphans) {
      out.addAll(indexer.byIndex(CONTROLLER_UID, ORPHAN + (m.getNamespace() == null ? "" : m.getNamespace())));
    }
    return out;
  }
}

package io.bosun.controller;

import io.bosun.api.core.v1.Pod;
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
 * <p>An index lives as long as the manager's informers, across controller restarts and bundle
 * updates, so its function must come from this bundle: an index function from a controller
 * bundle would stay in the informer after that bundle is updated (its old revision's class loader
 * pinned, and the new revision silently using the old function).
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

  /** Pods by {@code spec.nodeName}, as upstream's {@code controller.PodNodeNameKeyIndex}; unbound pods are not indexed. */
  public static final String POD_NODE_NAME = "spec.nodeName";

  private static final String ORPHAN = "_ORPHAN/";

  private static final IndexFunction<Pod> NODE_NAME = p -> {
    String n = p.getSpec() == null ? null : p.getSpec().getNodeName();
    return n == null || n.isEmpty() ? List.of() : List.of(n);
  };

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

  /** The function of {@link #POD_NODE_NAME}. */
  public static IndexFunction<Pod> podNodeName() {
    return NODE_NAME;
  }

  /** The pods bound to {@code node}. Needs the {@link #POD_NODE_NAME} index on {@code pods}. */
  public static List<Pod> podsOnNode(Indexer<Pod> pods, String node) {
    return pods.byIndex(POD_NODE_NAME, node);
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

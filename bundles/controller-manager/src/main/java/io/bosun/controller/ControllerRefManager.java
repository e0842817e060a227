package io.bosun.controller;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Adopts and releases the objects of one owner, as upstream's {@code PodControllerRefManager}
 * (and its ReplicaSet and ControllerRevision variants): one instance per sync of one owner.
 *
 * <p>{@link #claim} walks the candidates:
 * <ul>
 *   <li>controlled by the owner and matching the selector: kept;</li>
 *   <li>controlled by the owner but no longer matching: released (its controller reference is
 *       removed), unless the owner is being deleted;</li>
 *   <li>controlled by another owner: ignored;</li>
 *   <li>an orphan matching the selector, in the owner's namespace, neither it nor the owner being
 *       deleted: adopted (a controller reference to the owner is added), after checking once,
 *       with a live read, that the owner still exists with the same uid and is not being
 *       deleted (upstream's {@code RecheckDeletionTimestamp}): the informer's copy may be stale.</li>
 * </ul>
 * Adoption and release are strategic merge patches carrying the object's uid, so an object
 * deleted and re-created under the same name is never touched by mistake. Not thread-safe.
 *
 * @param <T> the kind of the owned objects
 */
public final class ControllerRefManager<T extends KubernetesObject> {

  private final ResourceClient<T> client;
  private final KubernetesObject owner;
  private final LabelSelector selector;
  private final Supplier<Optional<? extends KubernetesObject>> freshOwner;
  private Boolean canAdopt;
  private String cannotAdopt;

  /**
   * @param client     writes adoptions and releases of the owned kind
   * @param owner      the owner as cached (it must have apiVersion, kind, name and uid)
   * @param selector   the owner's selector: matching orphans are adopted, non-matching owned
   *                   objects released
   * @param freshOwner reads the owner from the API, not from a cache; called at most once, and
   *                   only if something is to be adopted
   */
  public ControllerRefManager(ResourceClient<T> client, KubernetesObject owner, LabelSelector selector,
      Supplier<Optional<? extends KubernetesObject>> freshOwner) {
    this.client = Objects.requireNonNull(client, "client");
    this.owner = Objects.requireNonNull(owner, "owner");
    this.selector = Objects.requireNonNull(selector, "selector");
    this.freshOwner = Objects.requireNonNull(freshOwner, "freshOwner");
  }

  /**
   * Claims the owner's objects among {@code candidates}, adopting and releasing as needed.
   *
   * @return the objects the owner controls afterwards (adopted ones as the server returned them)
   * @throws ClaimException if some adoption or release failed (the claimed objects are in it);
   *                        retry the sync
   */
  public List<T> claim(List<T> candidates) {
    return claim(candidates, o -> true);
  }

  /**
   * As {@link #claim(List)}, with an extra condition an object must meet to be kept or adopted
   * (upstream's DaemonSet and StatefulSet add one to the selector).
   */
  public List<T> claim(List<T> candidates, Predicate<? super T> extraMatch) {
    List<T> claimed = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    String ownerUid = owner.getMetadata().getUid();
    boolean ownerDeleting = owner.getMetadata().getDeletionTimestamp() != null;
    for (T obj : candidates) {
      ObjectMeta meta = obj.getMetadata();
      boolean matches = selector.matches(labels(meta)) && extraMatch.test(obj);
      Optional<OwnerReference> ref = ControllerRefs.controllerOf(meta);
      try {
        if (ref.isPresent()) {
          if (!ownerUid.equals(ref.get().getUid())) {
            continue;
          }
          if (matches) {
            claimed.add(obj);
          } else if (!ownerDeleting) {
            release(obj);
          }
          continue;
        }
        if (ownerDeleting || !matches || meta.getDeletionTimestamp() != null
            || !Objects.equals(nsOrEmpty(owner.getMetadata()), nsOrEmpty(meta))) {
          continue;
        }
        T adopted = adopt(obj);
        if (adopted != null) {
          claimed.add(adopted);
        }
      } catch (ClientStatusException e) {
        errors.add(e.getMessage());
      } catch (IllegalStateException e) {
        errors.add(e.getMessage());
      }
    }
    if (!errors.isEmpty()) {
      throw new ClaimException(String.join("; ", errors), claimed);
    }
    return claimed;
  }

  /** Adds the controller reference; null if the object is gone. */
  private T adopt(T obj) {
    checkCanAdopt();
    ObjectMeta meta = obj.getMetadata();
    OwnerReference ref = ControllerRefs.newControllerRef(owner);
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode m = patch.putObject("metadata");
    m.putArray("ownerReferences").addObject().put("apiVersion", ref.getApiVersion()).put("kind", ref.getKind())
        .put("name", ref.getName()).put("uid", ref.getUid()).put("controller", true).put("blockOwnerDeletion", true);
    m.put("uid", meta.getUid());
    try {
      return client.patch(meta.getNamespace(), meta.getName(), PatchType.STRATEGIC_MERGE, patch.toString());
    } catch (ClientStatusException e) {
      if (e.isNotFound()) {
        return null;
      }
      throw e;
    }
  }

  /** Removes the owner's reference from {@code obj}. */
  private void release(T obj) {
    ObjectMeta meta = obj.getMetadata();
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ObjectNode m = patch.putObject("metadata");
    ArrayNode refs = m.putArray("ownerReferences");
    refs.addObject().put("$patch", "delete").put("uid", owner.getMetadata().getUid());
    m.put("uid", meta.getUid());
    try {
      client.patch(meta.getNamespace(), meta.getName(), PatchType.STRATEGIC_MERGE, patch.toString());
    } catch (ClientStatusException e) {
      // Gone, or deleted and re-created (uid mismatch: 409 or 422): nothing to release.
      if (!(e.isNotFound() || e.isInvalid() || e.isConflict())) {
        throw e;
      }
    }
  }

  private void checkCanAdopt() {
    if (canAdopt == null) {
      Optional<? extends KubernetesObject> fresh = freshOwner.get();
      String uid = owner.getMetadata().getUid();
      if (fresh.isEmpty()) {
        canAdopt = false;
        cannotAdopt = owner.getKind() + " " + owner.getMetadata().getName() + " is gone";
      } else if (!uid.equals(fresh.get().getMetadata().getUid())) {
        canAdopt = false;
        cannotAdopt = "original " + owner.getKind() + " " + owner.getMetadata().getName()
            + " is gone: got uid " + fresh.get().getMetadata().getUid() + ", wanted " + uid;
      } else if (fresh.get().getMetadata().getDeletionTimestamp() != null) {
        canAdopt = false;
        cannotAdopt = owner.getKind() + " " + owner.getMetadata().getName() + " has just been deleted at "
            + fresh.get().getMetadata().getDeletionTimestamp();
      } else {
        canAdopt = true;
      }
    }
    if (!canAdopt) {
      throw new IllegalStateException("can't adopt: " + cannotAdopt);
    }
  }

  private static Map<String, String> labels(ObjectMeta meta) {
    return meta == null || meta.getLabels() == null ? Map.of() : meta.getLabels();
  }

  private static String nsOrEmpty(ObjectMeta meta) {
    return meta.getNamespace() == null ? "" : meta.getNamespace();
  }

  /** Some adoptions or releases failed; {@link #claimed()} holds what was claimed anyway. */
  public static final class ClaimException extends RuntimeException {
    private final transient List<?> claimed;

    ClaimException(String message, List<?> claimed) {
      super(message);
      this.claimed = List.copyOf(claimed);
    }

    public List<?> claimed() {
      return claimed;
    }
  }
}

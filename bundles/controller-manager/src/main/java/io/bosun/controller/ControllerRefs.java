package io.bosun.controller;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import java.util.List;
import java.util.Optional;

/**
 * Controller references, as upstream's {@code metav1.GetControllerOf} and
 * {@code NewControllerRef}: the one owner reference with {@code controller: true} that says which
 * controller manages an object. Pure functions; never modify their arguments.
 */
public final class ControllerRefs {

  private ControllerRefs() {
  }

  /** The controller reference of an object, if it has one. */
  public static Optional<OwnerReference> controllerOf(KubernetesObject obj) {
    return obj == null ? Optional.empty() : controllerOf(obj.getMetadata());
  }

  /** The controller reference in {@code meta}, if there is one. */
  public static Optional<OwnerReference> controllerOf(ObjectMeta meta) {
    List<OwnerReference> refs = meta == null ? null : meta.getOwnerReferences();
    if (refs != null) {
      for (OwnerReference ref : refs) {
        if (Boolean.TRUE.equals(ref.getController())) {
          return Optional.of(ref);
        }
      }
    }
    return Optional.empty();
  }

  /** Whether {@code obj}'s controller reference points at {@code owner} (by uid). */
  public static boolean isControlledBy(KubernetesObject obj, KubernetesObject owner) {
    String uid = owner.getMetadata() == null ? null : owner.getMetadata().getUid();
    return uid != null && controllerOf(obj).map(r -> uid.equals(r.getUid())).orElse(false);
  }

  /**
   * A controller reference to {@code owner}: its apiVersion, kind, name and uid, with
   * {@code controller} and {@code blockOwnerDeletion} true, as upstream's
   * {@code metav1.NewControllerRef} (foreground deletion of the owner then waits for the object).
   *
   * @throws IllegalArgumentException if the owner has no uid (it was not read from the API)
   */
  public static OwnerReference newControllerRef(KubernetesObject owner) {
    ObjectMeta meta = owner.getMetadata();
    if (meta == null || meta.getUid() == null || meta.getUid().isEmpty()) {
      throw new IllegalArgumentException("the owner has no uid: " + owner.getKind());
    }
    return new OwnerReference().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(meta.getName()).withUid(meta.getUid()).withController(true).withBlockOwnerDeletion(true);
  }
}

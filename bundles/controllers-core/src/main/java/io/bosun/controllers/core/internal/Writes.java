package io.bosun.controllers.core.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import java.io.UncheckedIOException;
import java.util.Optional;

/** Writes whose answer may not be the object. */
public final class Writes {

  private Writes() {
  }

  /**
   * Patches an object, typically removing a finalizer. If the patch removed the last finalizer of
   * an object being deleted, the object is gone afterwards and the result is empty.
   *
   * <p>Bosun's API server answers such a write with a {@code Status} (upstream returns the
   * object's final state), which the typed client cannot decode; that answer is recognised here.
   *
   * @throws io.bosun.client.ClientStatusException as {@link ResourceClient#patch}
   */
  public static <T extends KubernetesObject> Optional<T> patch(ResourceClient<T> client, String namespace,
      String name, PatchType type, String body) {
    try {
      return Optional.of(client.patch(namespace, name, type, body));
    } catch (UncheckedIOException e) {
      if (isDeletedStatus(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** As {@link #patch}, for a full update. */
  public static <T extends KubernetesObject> Optional<T> update(ResourceClient<T> client, T obj) {
    try {
      return Optional.of(client.update(obj));
    } catch (UncheckedIOException e) {
      if (isDeletedStatus(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The decode failure of a {@code {"kind":"Status","status":"Success",...}} answer read as an object. */
  static boolean isDeletedStatus(UncheckedIOException e) {
    String m = String.valueOf(e.getMessage());
    return m.contains("('Success')");
  }
}

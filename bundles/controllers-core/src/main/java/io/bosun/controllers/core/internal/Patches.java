package io.bosun.controllers.core.internal;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Small JSON patches the controllers send. */
public final class Patches {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private Patches() {
  }

  /** A new JSON object to build a patch in. */
  public static ObjectNode object() {
    return JSON.objectNode();
  }

  /**
   * A strategic merge patch removing {@code finalizer} from {@code metadata.finalizers} (upstream's
   * {@code $deleteFromPrimitiveList}), leaving other finalizers alone. Applying it to an object
   * without the finalizer changes nothing.
   */
  public static String removeFinalizer(String finalizer) {
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").putArray("$deleteFromPrimitiveList/finalizers").add(finalizer);
    return patch.toString();
  }

  /** A strategic merge patch adding {@code finalizer} to {@code metadata.finalizers} (a merged primitive list). */
  public static String addFinalizer(String finalizer) {
    ObjectNode patch = JSON.objectNode();
    patch.putObject("metadata").putArray("finalizers").add(finalizer);
    return patch.toString();
  }
}

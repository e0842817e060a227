package io.bosun.apiserver.table;

import java.util.Objects;

/**
 * Upstream's {@code TableOptions}.
 *
 * @param includeObject what each row's {@code object} holds
 * @param noHeaders     leave {@code columnDefinitions} null, as upstream does for watch events
 *                      after the first when asked
 */
public record TableOptions(IncludeObject includeObject, boolean noHeaders) {

  /** Metadata objects with headers: what {@code kubectl get} gets. */
  public static final TableOptions DEFAULT = new TableOptions(IncludeObject.METADATA, false);

  public TableOptions {
    Objects.requireNonNull(includeObject, "includeObject");
  }
}

package io.bosun.apiserver.status;

import io.bosun.api.meta.v1.ListMeta;
import io.bosun.api.meta.v1.Status;
import io.bosun.api.meta.v1.StatusDetails;

/** Success {@code Status} bodies. */
public final class Statuses {

  private Statuses() {
  }

  /** What a DELETE answers when the object is gone at once, as upstream. */
  public static Status deleted(ResourceName r, String name, String uid) {
    return new Status().withMetadata(new ListMeta()).withStatus("Success")
        .withDetails(new StatusDetails().withName(name).withGroup(r.group().isEmpty() ? null : r.group())
            .withKind(r.plural()).withUid(uid));
  }

  /** A plain success, e.g. for a binding. */
  public static Status success() {
    return new Status().withMetadata(new ListMeta()).withStatus("Success").withCode(201);
  }
}

package io.bosun.client;

/** The kinds of watch event a handler sees. ERROR events end the watch instead; see {@link WatchHandler#onClose}. */
public enum WatchEventType {
  ADDED,
  MODIFIED,
  /** The object was deleted or left the selection; the object is its last state. */
  DELETED,
  /**
   * No change: only {@code metadata.resourceVersion} of the object is set, the version the watch
   * has reached, to resume from.
   */
  BOOKMARK
}

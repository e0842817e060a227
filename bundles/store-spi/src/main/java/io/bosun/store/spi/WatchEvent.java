package io.bosun.store.spi;

/**
 * One change seen by a watch.
 *
 * @param type     whether the key was written or deleted
 * @param key      the key
 * @param revision the revision of the change
 * @param kv       for {@link Type#PUT}: the key as written; for {@link Type#DELETE}: {@code null}
 * @param prevKv   the key as it was just before the change, or {@code null} if it did not exist
 */
public record WatchEvent(Type type, String key, long revision, KeyValue kv, KeyValue prevKv) {

  /** What happened to the key. */
  public enum Type {
    /** The key was created or updated. */
    PUT,
    /** The key was deleted, explicitly or because its lease expired. */
    DELETE
  }
}

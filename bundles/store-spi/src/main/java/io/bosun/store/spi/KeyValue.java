package io.bosun.store.spi;

import java.util.Arrays;
import java.util.Objects;

/**
 * One key at one revision.
 *
 * @param key            the key
 * @param value          the stored bytes; never modified by the store or its callers
 * @param createRevision the revision that created this key (since its last deletion)
 * @param modRevision    the revision of the last write to this key
 * @param version        writes to this key since it was created, starting at 1
 * @param lease          the lease the key is attached to, or 0 for none
 */
public record KeyValue(String key, byte[] value, long createRevision, long modRevision, long version, long lease) {

  public KeyValue {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(value, "value");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyValue kv && key.equals(kv.key) && Arrays.equals(value, kv.value)
        && createRevision == kv.createRevision && modRevision == kv.modRevision
        && version == kv.version && lease == kv.lease;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key, Arrays.hashCode(value), createRevision, modRevision, version, lease);
  }

  @Override
  public String toString() {
    return "KeyValue[" + key + " create=" + createRevision + " mod=" + modRevision + " version=" + version
        + " lease=" + lease + " bytes=" + value.length + "]";
  }
}

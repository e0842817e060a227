package io.bosun.store.spi;

import java.util.List;

/**
 * The answer to a range read.
 *
 * @param kvs      the keys found, in key order, at most the requested limit
 * @param more     whether the range holds more keys after the last one returned
 * @param count    how many keys the whole range holds at {@code revision} (not just this page)
 * @param revision the revision the read was served at
 */
public record RangeResult(List<KeyValue> kvs, boolean more, long count, long revision) {

  public RangeResult {
    kvs = List.copyOf(kvs);
  }
}

package io.bosun.store.spi;

import java.util.Objects;

/**
 * A half-open range of keys {@code [from, to)} in the store's lexicographic (UTF-16 code unit)
 * key order. A {@code null} {@code to} means "no upper bound".
 */
public record KeyRange(String from, String to) {

  public KeyRange {
    Objects.requireNonNull(from, "from");
  }

  /** The range of every key starting with {@code prefix}. */
  public static KeyRange prefix(String prefix) {
    if (prefix.isEmpty()) {
      return new KeyRange("", null);
    }
    return new KeyRange(prefix, prefixEnd(prefix));
  }

  /** The range holding exactly {@code key}. */
  public static KeyRange single(String key) {
    return new KeyRange(key, key + '\0');
  }

  /** Whether {@code key} lies in this range. */
  public boolean contains(String key) {
    return key.compareTo(from) >= 0 && (to == null || key.compareTo(to) < 0);
  }

  /** The same range starting at {@code newFrom} instead, used to continue a paged read. */
  public KeyRange startingAt(String newFrom) {
    return new KeyRange(newFrom, to);
  }

  private static String prefixEnd(String prefix) {
    char[] chars = prefix.toCharArray();
    for (int i = chars.length - 1; i >= 0; i--) {
      if (chars[i] != Character.MAX_VALUE) {
        chars[i]++;
        return new String(chars, 0, i + 1);
      }
    }
    return null;
  }
}

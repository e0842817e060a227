package io.bosun.runtime.spi;

import java.util.Objects;

/** An environment variable (CRI {@code KeyValue}). */
public record KeyValue(String key, String value) {

  public KeyValue {
    Objects.requireNonNull(key, "key");
    value = value == null ? "" : value;
  }
}

package io.bosun.scheduler.spi;

/** The {@code type} of a Kubernetes event. */
public enum EventType {
  NORMAL("Normal"),
  WARNING("Warning");

  private final String value;

  EventType(String value) {
    this.value = value;
  }

  /** The value written to the event ({@code Normal}, {@code Warning}). */
  public String value() {
    return value;
  }
}

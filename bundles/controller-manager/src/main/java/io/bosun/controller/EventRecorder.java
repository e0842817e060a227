package io.bosun.controller;

import io.bosun.api.meta.v1.KubernetesObject;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Records {@code core/v1} Events about objects, as client-go's {@code record.EventRecorder}:
 * {@code kubectl describe} shows them. Thread-safe and never blocking: events are written in the
 * background and dropped (with a log line) if the API server cannot keep up, so recording is
 * best effort, as upstream.
 *
 * <p>Repeats of the same event (same object, type, reason and message) within a while update
 * the first one's {@code count} and {@code lastTimestamp} instead of creating a new Event, as
 * upstream's event correlator does.
 */
@ProviderType
public interface EventRecorder {

  /** An ordinary event. */
  String NORMAL = "Normal";
  /** Something may be wrong. */
  String WARNING = "Warning";

  /**
   * Records an event.
   *
   * @param regarding the object the event is about (its kind, namespace, name and uid are used)
   * @param type      {@link #NORMAL} or {@link #WARNING}
   * @param reason    a short UpperCamelCase reason, such as {@code SuccessfulCreate}
   * @param message   a human-readable description
   */
  void event(KubernetesObject regarding, String type, String reason, String message);

  /** {@link #event} with a {@link String#format} message. */
  default void eventf(KubernetesObject regarding, String type, String reason, String format, Object... args) {
    event(regarding, type, reason, String.format(format, args));
  }
}

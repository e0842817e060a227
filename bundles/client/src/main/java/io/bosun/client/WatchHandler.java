package io.bosun.client;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the events of one {@link Watch}. Both methods are called on the watch's reader thread,
 * one at a time and in order; keep them short (hand work to a queue), since a slow handler holds
 * up the stream and, past the server's buffer, loses the watch.
 */
@ConsumerType
public interface WatchHandler<T> {

  /**
   * One event. An exception thrown here is logged and the watch goes on.
   *
   * @param object the decoded object; for {@link WatchEventType#BOOKMARK} only its
   *               resourceVersion is meaningful
   */
  void onEvent(WatchEventType type, T object);

  /**
   * The watch ended; called exactly once, last.
   *
   * @param cause null for a normal end (the server closed the stream, or {@link Watch#close()});
   *              a {@link ClientStatusException} for an ERROR event (410 Expired: the version
   *              watched from is gone, relist); a {@link ClientTransportException} when the
   *              connection failed or sent something unreadable
   */
  void onClose(ClientException cause);
}

package io.bosun.store.etcd;

import io.etcd.jetcd.common.exception.CompactedException;
import io.grpc.Status;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Classifies what an etcd call failed with. The distinction that matters is whether a request may
 * have been applied: a <em>transient</em> failure (connection lost, timeout, leader change) says
 * nothing about that, so a write that failed transiently has an unknown outcome; any other
 * failure is an answer from etcd that it rejected the request.
 */
final class Failures {

  private Failures() {
  }

  /** The failure behind the wrappers that futures add. */
  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  static Status status(Throwable t) {
    return Status.fromThrowable(unwrap(t));
  }

  private static String description(Throwable t) {
    Throwable u = unwrap(t);
    String d = status(u).getDescription();
    if (d == null) {
      d = u.getMessage();
    }
    return d == null ? "" : d;
  }

  /** Worth retrying: nothing is known about the request, or it was refused before being applied. */
  static boolean isTransient(Throwable t) {
    Throwable u = unwrap(t);
    // A request the store gave up waiting for (the wait wraps the timeout in a StoreException).
    if (u instanceof TimeoutException || u.getCause() instanceof TimeoutException) {
      return true;
    }
    if (isAuthRefresh(u)) {
      return true;
    }
    return switch (status(u).getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED, INTERNAL, UNKNOWN, CANCELLED -> true;
      // etcd's "too many requests" is back-pressure; other exhaustion (message size, NOSPACE) is not.
      case RESOURCE_EXHAUSTED -> description(u).contains("too many requests");
      default -> false;
    };
  }

  /**
   * A request refused before it could be applied because jetcd's auth token had to be renewed
   * (jetcd renews it when it sees this answer), so it is safe to send again as it is.
   */
  static boolean isAuthRefresh(Throwable t) {
    String d = description(t);
    return d.contains("invalid auth token") || d.contains("revision of auth store is old");
  }

  /**
   * Whether the request certainly never reached etcd: no connection could be made (refused, no
   * route, unknown host, TLS handshake failed). With wait-for-ready off, gRPC fails such a request
   * at once instead of sending it later.
   */
  static boolean neverSent(Throwable t) {
    for (Throwable c = unwrap(t); c != null; c = c.getCause()) {
      if (c instanceof java.net.ConnectException || c instanceof java.net.NoRouteToHostException
          || c instanceof java.net.UnknownHostException || c instanceof java.nio.channels.UnresolvedAddressException
          || c instanceof javax.net.ssl.SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  static boolean isCompacted(Throwable t) {
    return unwrap(t) instanceof CompactedException || description(t).contains("required revision has been compacted");
  }

  /** The compact revision an etcd compaction failure carries, or 0 when it carries none. */
  static long compactRevision(Throwable t) {
    return unwrap(t) instanceof CompactedException c ? c.getCompactedRevision() : 0;
  }

  static boolean isFutureRevision(Throwable t) {
    return description(t).contains("required revision is a future revision");
  }

  static boolean isLeaseNotFound(Throwable t) {
    return description(t).contains("requested lease not found");
  }

  static boolean isPermissionDenied(Throwable t) {
    return status(t).getCode() == Status.Code.PERMISSION_DENIED || description(t).contains("permission denied");
  }

  /** One line for messages: the status code and every distinct message down the cause chain. */
  static String describe(Throwable t) {
    Throwable u = unwrap(t);
    java.util.LinkedHashSet<String> messages = new java.util.LinkedHashSet<>();
    for (Throwable c = u; c != null && messages.size() < 4; c = c.getCause()) {
      String d = c instanceof io.grpc.StatusRuntimeException s ? s.getStatus().getDescription() : c.getMessage();
      if (d != null && !d.isBlank()) {
        messages.add(d);
      }
    }
    Status s = status(u);
    String text = String.join("; ", messages);
    return s.getCode() == Status.Code.UNKNOWN ? u.getClass().getSimpleName() + ": " + text : s.getCode() + ": " + text;
  }
}

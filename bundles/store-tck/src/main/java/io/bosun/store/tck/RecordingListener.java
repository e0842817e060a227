package io.bosun.store.tck;

import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.WatchEvent;
import io.bosun.store.spi.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link WatchListener} that records every call and checks the listener contract as it goes:
 * calls never overlap, nothing follows {@code onClose}, events come in revision order and the
 * events of one revision are never split over two calls. Violations are collected, not thrown,
 * because an exception inside a listener would only be seen by the store.
 */
public final class RecordingListener implements WatchListener {

  private final Object lock = new Object();
  private final AtomicInteger inCall = new AtomicInteger();
  private final List<WatchEvent> events = new ArrayList<>();
  private final List<List<WatchEvent>> calls = new ArrayList<>();
  private final List<Long> progress = new ArrayList<>();
  private final List<ProgressMark> progressMarks = new ArrayList<>();
  private final List<String> violations = new ArrayList<>();
  private final List<StoreException> closeCauses = new ArrayList<>();
  private long lastRevision;
  private boolean closed;

  @Override
  public void onEvents(List<WatchEvent> batch) {
    enter("onEvents");
    try {
      synchronized (lock) {
        if (batch.isEmpty()) {
          violations.add("onEvents with no events");
        }
        for (WatchEvent e : batch) {
          // Strictly greater for the first event of a call: one revision's events share a call.
          boolean first = e == batch.get(0);
          if (first ? e.revision() <= lastRevision : e.revision() < lastRevision) {
            violations.add("event out of order or revision split across calls: " + e.revision() + " after "
                + lastRevision);
          }
          lastRevision = e.revision();
          events.add(e);
        }
        calls.add(List.copyOf(batch));
        lock.notifyAll();
      }
    } finally {
      leave();
    }
  }

  @Override
  public void onProgress(long revision) {
    enter("onProgress");
    try {
      synchronized (lock) {
        progress.add(revision);
        progressMarks.add(new ProgressMark(revision, events.size()));
      }
    } finally {
      leave();
    }
  }

  @Override
  public void onClose(StoreException cause) {
    enter("onClose");
    try {
      synchronized (lock) {
        closeCauses.add(cause);
        closed = true;
      }
    } finally {
      leave();
    }
  }

  private void enter(String method) {
    if (inCall.incrementAndGet() != 1) {
      addViolation("overlapping listener calls at " + method);
    }
    synchronized (lock) {
      if (closed) {
        violations.add(method + " after onClose");
      }
    }
  }

  private void leave() {
    inCall.decrementAndGet();
  }

  private void addViolation(String v) {
    synchronized (lock) {
      violations.add(v);
    }
  }

  /**
   * One {@code onProgress} call.
   *
   * @param revision     the revision reported
   * @param eventsBefore how many events had been received when it was reported
   */
  public record ProgressMark(long revision, int eventsBefore) {
  }

  /** Every {@code onProgress} call with the number of events received before it. */
  public List<ProgressMark> progressMarks() {
    synchronized (lock) {
      return List.copyOf(progressMarks);
    }
  }

  /** Every event received so far, in delivery order. */
  public List<WatchEvent> events() {
    synchronized (lock) {
      return List.copyOf(events);
    }
  }

  /** The event lists as passed to each {@code onEvents} call. */
  public List<List<WatchEvent>> calls() {
    synchronized (lock) {
      return List.copyOf(calls);
    }
  }

  /** The revisions of every {@code onProgress} call. */
  public List<Long> progress() {
    synchronized (lock) {
      return List.copyOf(progress);
    }
  }

  /** How many events have been received. */
  public int eventCount() {
    synchronized (lock) {
      return events.size();
    }
  }

  /** The revision of the last event received, or 0. */
  public long lastRevision() {
    synchronized (lock) {
      return lastRevision;
    }
  }

  /** Whether {@code onClose} was called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  /** The causes of every {@code onClose} call (more than one is itself a violation). */
  public List<StoreException> closeCauses() {
    synchronized (lock) {
      return new ArrayList<>(closeCauses);
    }
  }

  /** Contract violations seen so far; empty when the store behaved. */
  public List<String> violations() {
    synchronized (lock) {
      List<String> all = new ArrayList<>(violations);
      if (closeCauses.size() > 1) {
        all.add("onClose called " + closeCauses.size() + " times");
      }
      return all;
    }
  }
}

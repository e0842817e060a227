package io.bosun.scheduler.queue;

import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.framework.Framework;
import io.bosun.scheduler.framework.ProfileSet;
import io.bosun.scheduler.spi.ActionType;
import io.bosun.scheduler.spi.EventResource;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.Status;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The scheduling queue, as upstream's {@code PriorityQueue}: an <b>active</b> heap ordered by the
 * profiles' queue-sort plugin, a <b>backoff</b> heap of pods retried after a per-pod exponential
 * backoff (initial 1 s, doubling per attempt, at most 10 s), and the <b>unschedulable</b> pods,
 * parked until a cluster event one of their rejecting plugins registered for (or any event, for
 * pods that failed with an error) moves them back, or for at most 5 minutes. Pods rejected by a
 * PreEnqueue plugin (gated) wait among the unschedulable ones and are checked again on events of
 * that plugin.
 *
 * <p>Each pod (by UID) is in exactly one place: active, backoff, unschedulable, in flight (its
 * scheduling cycle runs) or assumed (its binding runs). Events that happen while a pod is in
 * flight are recorded, so a pod failing because of a state that changed meanwhile is not parked
 * (upstream's in-flight events).
 *
 * <p>Thread-safe (one lock). Time comes from the injected {@link Clock}; the periodic flushes are
 * called by the scheduler (or by tests).
 */
public final class SchedulingQueue implements AutoCloseable {

  /** How a scheduling attempt ended, for {@link #requeue}. */
  public enum Outcome {
    /** Rejected by plugins: parked until an event may help. */
    UNSCHEDULABLE,
    /** An error: retried after backoff. */
    ERROR,
    /** The pod's profile cannot schedule (missing plugin ...): parked until the profiles change. */
    PROFILE_WAIT
  }

  /** Queue timings. */
  public record Options(Duration initialBackoff, Duration maxBackoff, Duration maxInUnschedulable) {
    /** Upstream's: 1 s, 10 s, 5 min. */
    public static Options defaults() {
      return new Options(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(5));
    }
  }

  private record RecordedEvent(long seq, EventResource resource, ActionType action, Object oldObj, Object newObj) {
  }

  private final Clock clock;
  private final Options options;
  private final ProfileSource profiles;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, QueuedPod> pods = new HashMap<>();
  private final LinkedHashMap<String, QueuedPod> unschedulable = new LinkedHashMap<>();
  private PriorityQueue<QueuedPod> active;
  private final PriorityQueue<QueuedPod> backoff;
  private final List<RecordedEvent> inFlightEvents = new ArrayList<>();
  private volatile ProfileSet order;
  private QueuedPod inFlight;
  private long nextSeq;
  private long eventSeq;
  private long schedulingCycle;
  private int gatedCount;
  private boolean closed;

  public SchedulingQueue(Clock clock, Options options, ProfileSource profiles) {
    this.clock = clock;
    this.options = options;
    this.profiles = profiles;
    this.active = new PriorityQueue<>(activeOrder());
    this.backoff = new PriorityQueue<>(Comparator.comparing(this::backoffExpiry).thenComparingLong(p -> p.seq));
  }

  private Comparator<QueuedPod> activeOrder() {
    return (a, b) -> {
      ProfileSet s = order;
      if (s != null) {
        if (s.less(a, b)) {
          return -1;
        }
        if (s.less(b, a)) {
          return 1;
        }
      } else {
        int c = a.timestamp.compareTo(b.timestamp);
        if (c != 0) {
          return c;
        }
      }
      return Long.compare(a.seq, b.seq);
    };
  }

  // ---- profiles ------------------------------------------------------------------------------

  /**
   * The profiles changed: re-sort the active queue with the new queue-sort plugin, drop pods the
   * scheduler is no longer responsible for, and give every parked pod another chance (gated ones
   * are checked against the new PreEnqueue plugins).
   */
  public void profilesChanged(ProfileSet set, Predicate<Pod> responsible) {
    lock.lock();
    try {
      order = set;
      PriorityQueue<QueuedPod> resorted = new PriorityQueue<>(Math.max(11, active.size()), activeOrder());
      resorted.addAll(active);
      active = resorted;
      for (QueuedPod e : new ArrayList<>(pods.values())) {
        if ((e.state == QueuedPod.State.ACTIVE || e.state == QueuedPod.State.BACKOFF
            || e.state == QueuedPod.State.UNSCHEDULABLE) && !responsible.test(e.podInfo.pod())) {
          removeLocked(e);
        }
      }
      moveAllLocked(null, null, null, null, true);
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- pods from the informer ----------------------------------------------------------------

  /** An unscheduled pod this scheduler is responsible for appeared (or is seen again). */
  public void add(Pod pod) {
    lock.lock();
    try {
      addLocked(pod);
    } finally {
      lock.unlock();
    }
  }

  private void addLocked(Pod pod) {
    QueuedPod e = pods.get(uid(pod));
    if (e != null) {
      updateLocked(e, e.podInfo.pod(), pod);
      return;
    }
    e = new QueuedPod(PodInfo.of(pod), clock.instant(), nextSeq++);
    pods.put(e.uid(), e);
    Status gate = preEnqueue(e);
    if (gate != null) {
      park(e, gate);
    } else {
      pushActive(e);
    }
  }

  /** An unscheduled pod changed. */
  public void update(Pod oldPod, Pod newPod) {
    lock.lock();
    try {
      QueuedPod e = pods.get(uid(newPod));
      if (e == null) {
        addLocked(newPod);
      } else {
        updateLocked(e, oldPod, newPod);
      }
    } finally {
      lock.unlock();
    }
  }

  private void updateLocked(QueuedPod e, Pod oldPod, Pod newPod) {
    PodInfo npi = PodInfo.of(newPod);
    Set<ActionType> actions = PodChanges.of(oldPod, newPod);
    switch (e.state) {
      case IN_FLIGHT -> {
        e.podInfo = npi;
        if (!actions.isEmpty()) {
          e.updatedInFlight = true;
        }
      }
      case ASSUMED -> e.podInfo = npi;
      case ACTIVE -> {
        active.remove(e);
        e.podInfo = npi;
        active.add(e);
      }
      case BACKOFF -> {
        backoff.remove(e);
        e.podInfo = npi;
        backoff.add(e);
      }
      case UNSCHEDULABLE -> {
        e.podInfo = npi;
        if (actions.isEmpty()) {
          return;
        }
        if (e.gated) {
          Status gate = preEnqueue(e);
          if (gate == null) {
            unpark(e);
            pushActive(e);
          } else {
            e.pendingPlugins = gate.plugin() == null ? Set.of() : Set.of(gate.plugin());
          }
          return;
        }
        ProfileSet set = profiles.acquire();
        try {
          for (ActionType a : actions) {
            if (worthRequeuing(e, set, EventResource.UNSCHEDULED_POD, a, oldPod, newPod)) {
              unpark(e);
              pushActiveOrBackoff(e);
              return;
            }
          }
        } finally {
          release(set);
        }
      }
      default -> {
      }
    }
  }

  /** An unscheduled pod was deleted, bound, or is no longer this scheduler's. */
  public void delete(Pod pod) {
    delete(uid(pod));
  }

  /** As {@link #delete(Pod)}, by UID. */
  public void delete(String uid) {
    lock.lock();
    try {
      QueuedPod e = pods.get(uid);
      if (e != null) {
        removeLocked(e);
      }
    } finally {
      lock.unlock();
    }
  }

  private void removeLocked(QueuedPod e) {
    pods.remove(e.uid());
    switch (e.state) {
      case ACTIVE -> active.remove(e);
      case BACKOFF -> backoff.remove(e);
      case UNSCHEDULABLE -> unpark(e);
      case IN_FLIGHT, ASSUMED -> e.deleted = true;
      default -> {
      }
    }
  }

  // ---- cluster events ------------------------------------------------------------------------

  /**
   * A cluster event (node added or changed, bound pod added, changed or deleted ...): moves the
   * unschedulable pods it may help to the active or backoff queue.
   */
  public void onEvent(EventResource resource, ActionType action, Object oldObj, Object newObj) {
    lock.lock();
    try {
      if (inFlight != null) {
        inFlightEvents.add(new RecordedEvent(++eventSeq, resource, action, oldObj, newObj));
      }
      if (!unschedulable.isEmpty()) {
        moveAllLocked(resource, action, oldObj, newObj, false);
      }
    } finally {
      lock.unlock();
    }
  }

  private void moveAllLocked(EventResource resource, ActionType action, Object oldObj, Object newObj, boolean all) {
    ProfileSet set = profiles.acquire();
    try {
      boolean moved = false;
      for (QueuedPod e : new ArrayList<>(unschedulable.values())) {
        if (e.gated) {
          if (all || gateInterested(e, set, resource, action, oldObj, newObj)) {
            Status gate = preEnqueue(e);
            if (gate == null) {
              unpark(e);
              pushActive(e);
              moved = true;
            }
          }
        } else if (all || worthRequeuing(e, set, resource, action, oldObj, newObj)) {
          unpark(e);
          pushActiveOrBackoff(e);
          moved = true;
        }
      }
      if (moved) {
        changed.signalAll();
      }
    } finally {
      release(set);
    }
  }

  private boolean gateInterested(QueuedPod e, ProfileSet set, EventResource r, ActionType a, Object o, Object n) {
    Framework fw = set == null ? null : set.get(schedulerName(e));
    if (fw == null) {
      return true;
    }
    for (String p : e.pendingPlugins) {
      if (fw.isInterested(p, r, a, e.podInfo.pod(), o, n)) {
        return true;
      }
    }
    return e.pendingPlugins.isEmpty();
  }

  private boolean worthRequeuing(QueuedPod e, ProfileSet set, EventResource r, ActionType a, Object o, Object n) {
    Set<String> rejectors = e.unschedulablePlugins;
    if (rejectors.contains(Framework.PROFILE_NOT_READY)) {
      return false;
    }
    if (rejectors.isEmpty()) {
      return true;
    }
    Framework fw = set == null ? null : set.get(schedulerName(e));
    if (fw == null) {
      return true;
    }
    for (String p : rejectors) {
      if (fw.isInterested(p, r, a, e.podInfo.pod(), o, n)) {
        return true;
      }
    }
    return false;
  }

  /** Moves these pods to the active queue if they are parked or backing off (upstream's {@code Activate}). */
  public void activate(Collection<Pod> toActivate) {
    lock.lock();
    try {
      for (Pod p : toActivate) {
        QueuedPod e = pods.get(uid(p));
        if (e == null) {
          continue;
        }
        if (e.state == QueuedPod.State.UNSCHEDULABLE && !e.gated) {
          unpark(e);
          pushActive(e);
        } else if (e.state == QueuedPod.State.BACKOFF) {
          backoff.remove(e);
          pushActive(e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- the scheduling loop -------------------------------------------------------------------

  /**
   * Takes the first active pod, waiting up to {@code timeout} for one (moving pods whose backoff
   * expired meanwhile). The pod is then in flight until {@link #done} or {@link #requeue}.
   *
   * @return the pod, or null on timeout or once closed
   */
  public QueuedPod pop(Duration timeout) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        if (closed) {
          return null;
        }
        flushBackoffLocked();
        QueuedPod e = active.poll();
        if (e != null) {
          e.state = QueuedPod.State.IN_FLIGHT;
          e.attempts++;
          e.eventSeqAtPop = eventSeq;
          e.updatedInFlight = false;
          inFlight = e;
          schedulingCycle++;
          return e;
        }
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return null;
        }
        QueuedPod next = backoff.peek();
        if (next != null) {
          long untilBackoff = Duration.between(clock.instant(), backoffExpiry(next)).toNanos();
          remaining = Math.min(remaining, Math.max(TimeUnit.MILLISECONDS.toNanos(1), untilBackoff));
        }
        changed.awaitNanos(remaining);
      }
    } finally {
      lock.unlock();
    }
  }

  /** The pod's scheduling cycle ended with the pod assumed; it stays here (assumed) until bound or requeued. */
  public void assumed(QueuedPod e) {
    lock.lock();
    try {
      if (inFlight == e) {
        inFlight = null;
        inFlightEvents.clear();
      }
      if (!e.deleted && pods.get(e.uid()) == e) {
        e.state = QueuedPod.State.ASSUMED;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The pod's attempt failed: park it, or back it off, as upstream's
   * {@code AddUnschedulableIfNotPresent}. A pod deleted or bound meanwhile is dropped.
   *
   * @param rejectors   plugins that rejected the pod (empty for errors)
   * @param fromBinding the failure happened in the binding cycle (always backed off)
   */
  public void requeue(QueuedPod e, Set<String> rejectors, Outcome outcome, boolean fromBinding) {
    lock.lock();
    try {
      List<RecordedEvent> events = List.of();
      if (inFlight == e) {
        events = List.copyOf(inFlightEvents);
        inFlight = null;
        inFlightEvents.clear();
      }
      if (e.deleted || pods.get(e.uid()) != e) {
        return;
      }
      e.timestamp = clock.instant();
      e.unschedulablePlugins = Set.copyOf(rejectors);
      if (outcome == Outcome.PROFILE_WAIT) {
        e.unschedulablePlugins = Set.of(Framework.PROFILE_NOT_READY);
        park(e, null);
        return;
      }
      if (outcome == Outcome.ERROR || fromBinding || e.updatedInFlight) {
        e.updatedInFlight = false;
        pushBackoff(e);
        return;
      }
      ProfileSet set = profiles.acquire();
      try {
        for (RecordedEvent ev : events) {
          if (ev.seq > e.eventSeqAtPop && worthRequeuing(e, set, ev.resource, ev.action, ev.oldObj, ev.newObj)) {
            pushBackoff(e);
            return;
          }
        }
      } finally {
        release(set);
      }
      park(e, null);
    } finally {
      lock.unlock();
    }
  }

  /** Moves pods whose backoff expired to the active queue. */
  public void flushBackoffCompleted() {
    lock.lock();
    try {
      flushBackoffLocked();
    } finally {
      lock.unlock();
    }
  }

  private void flushBackoffLocked() {
    Instant now = clock.instant();
    boolean moved = false;
    while (!backoff.isEmpty() && !backoffExpiry(backoff.peek()).isAfter(now)) {
      QueuedPod e = backoff.poll();
      e.state = QueuedPod.State.ACTIVE;
      active.add(e);
      moved = true;
    }
    if (moved) {
      changed.signalAll();
    }
  }

  /** Moves pods parked longer than {@code maxInUnschedulable} back (gated ones only if their gate opened). */
  public void flushUnschedulableLeftover() {
    lock.lock();
    try {
      Instant limit = clock.instant().minus(options.maxInUnschedulable());
      for (QueuedPod e : new ArrayList<>(unschedulable.values())) {
        if (e.unschedulableSince.isAfter(limit)) {
          continue;
        }
        if (e.gated) {
          Status gate = preEnqueue(e);
          if (gate == null) {
            unpark(e);
            pushActive(e);
          } else {
            e.unschedulableSince = clock.instant();
          }
        } else {
          unpark(e);
          pushActiveOrBackoff(e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  // ---- views ---------------------------------------------------------------------------------

  /** Pending pods per queue: {@code active}, {@code backoff}, {@code unschedulable}, {@code gated}. */
  public Map<String, Integer> pendingCounts() {
    lock.lock();
    try {
      Map<String, Integer> m = new LinkedHashMap<>();
      m.put("active", active.size());
      m.put("backoff", backoff.size());
      m.put("unschedulable", unschedulable.size() - gatedCount);
      m.put("gated", gatedCount);
      return m;
    } finally {
      lock.unlock();
    }
  }

  /** Where the pod with {@code uid} is, or null if it is not in the queue. */
  public QueuedPod.State stateOf(String uid) {
    lock.lock();
    try {
      QueuedPod e = pods.get(uid);
      return e == null ? null : e.state;
    } finally {
      lock.unlock();
    }
  }

  /** The queued pod with {@code uid}, or null (for tests and diagnostics). */
  public QueuedPod get(String uid) {
    lock.lock();
    try {
      return pods.get(uid);
    } finally {
      lock.unlock();
    }
  }

  /** Every pod in the queue, in any state. */
  public int size() {
    lock.lock();
    try {
      return pods.size();
    } finally {
      lock.unlock();
    }
  }

  /** The backoff of a pod after {@code attempts} attempts: initial × 2^(attempts-1), capped. */
  public Duration backoffDuration(int attempts) {
    Duration d = options.initialBackoff();
    for (int i = 1; i < attempts; i++) {
      d = d.multipliedBy(2);
      if (d.compareTo(options.maxBackoff()) > 0) {
        return options.maxBackoff();
      }
    }
    return d.compareTo(options.maxBackoff()) > 0 ? options.maxBackoff() : d;
  }

  /** Wakes {@link #pop} callers, which then return null. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---- internals -----------------------------------------------------------------------------

  private Instant backoffExpiry(QueuedPod e) {
    return e.timestamp.plus(backoffDuration(Math.max(1, e.attempts)));
  }

  private boolean isBackingOff(QueuedPod e) {
    return e.attempts > 0 && backoffExpiry(e).isAfter(clock.instant());
  }

  private void pushActive(QueuedPod e) {
    e.state = QueuedPod.State.ACTIVE;
    active.add(e);
    changed.signalAll();
  }

  private void pushBackoff(QueuedPod e) {
    e.state = QueuedPod.State.BACKOFF;
    backoff.add(e);
    changed.signalAll();
  }

  private void pushActiveOrBackoff(QueuedPod e) {
    if (isBackingOff(e)) {
      pushBackoff(e);
    } else {
      pushActive(e);
    }
  }

  private void park(QueuedPod e, Status gate) {
    e.state = QueuedPod.State.UNSCHEDULABLE;
    e.unschedulableSince = clock.instant();
    e.gated = gate != null;
    e.pendingPlugins = gate == null || gate.plugin() == null ? Set.of() : Set.of(gate.plugin());
    if (e.gated) {
      gatedCount++;
    }
    unschedulable.put(e.uid(), e);
  }

  private void unpark(QueuedPod e) {
    if (unschedulable.remove(e.uid()) != null && e.gated) {
      gatedCount--;
    }
    e.gated = false;
    e.pendingPlugins = Set.of();
  }

  private Status preEnqueue(QueuedPod e) {
    ProfileSet set = profiles.acquire();
    try {
      if (set == null) {
        return null;
      }
      Framework fw = set.get(schedulerName(e));
      if (fw == null || !set.isReady(fw.profileName())) {
        return null;
      }
      return fw.runPreEnqueue(e.podInfo.pod());
    } finally {
      release(set);
    }
  }

  private static void release(ProfileSet set) {
    if (set != null) {
      set.release();
    }
  }

  static String schedulerName(QueuedPod e) {
    Pod p = e.podInfo.pod();
    String n = p.getSpec() == null ? null : p.getSpec().getSchedulerName();
    return n == null || n.isEmpty() ? "default-scheduler" : n;
  }

  private static String uid(Pod pod) {
    return pod.getMetadata() == null || pod.getMetadata().getUid() == null ? "" : pod.getMetadata().getUid();
  }
}

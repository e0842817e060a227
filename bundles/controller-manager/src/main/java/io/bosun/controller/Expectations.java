package io.bosun.controller;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a controller has asked the API for and not yet seen in its informers, as upstream's
 * {@code ControllerExpectations} with {@code UIDTrackingControllerExpectations}: a controller
 * that created 3 pods for a ReplicaSet must not act on that ReplicaSet again until its pod
 * informer has shown those 3 pods, or it would create them again (a slow watch would make it
 * overshoot). Entries are keyed by the controller's key of the owner ({@code namespace/name}).
 *
 * <p>Usage: before creating {@code n} pods call {@link #expectCreations}; the pod informer's add
 * handler calls {@link #creationObserved}; a create that failed also calls it (the pod will never
 * be observed). Deletions likewise, with the deleted objects' keys so that an object seen
 * deleted twice (a delete event and a tombstone) is counted once. A sync proceeds only when
 * {@link #satisfied}: nothing pending, or the record is older than {@link #TTL} (an event was
 * lost, so better to act on the cache than to wait forever), or there is no record at all (the
 * controller just started: the caches are the truth).
 *
 * <p>Thread-safe. One instance per controller run; nothing of it needs to survive a restart.
 */
public final class Expectations {

  /** After this long a record no longer blocks syncs (upstream's {@code ExpectationsTimeout}). */
  public static final Duration TTL = Duration.ofMinutes(5);

  private static final class Record {
    int adds;
    int dels;
    Instant timestamp;
    final Set<String> deletedKeys = new HashSet<>();
  }

  private final Clock clock;
  private final Map<String, Record> records = new HashMap<>();

  /** @param clock the clock the TTL is measured with */
  public Expectations(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Sets the expectations of {@code key} to {@code adds} creations and no deletions, forgetting
   * whatever was pending (upstream's {@code ExpectCreations}: called when the previous ones are
   * satisfied).
   */
  public synchronized void expectCreations(String key, int adds) {
    set(key, adds, 0, Set.of());
  }

  /**
   * Sets the expectations of {@code key} to the deletion of the objects {@code deletedKeys}
   * ({@code namespace/name} keys), forgetting whatever was pending.
   */
  public synchronized void expectDeletions(String key, Collection<String> deletedKeys) {
    set(key, 0, deletedKeys.size(), deletedKeys);
  }

  /** Adds to the pending creations and deletions of {@code key} (upstream's {@code RaiseExpectations}). */
  public synchronized void raise(String key, int adds, int dels) {
    Record r = records.computeIfAbsent(key, k -> newRecord());
    r.adds += adds;
    r.dels += dels;
  }

  /** One expected creation happened, or will never happen (the create failed). */
  public void creationObserved(String key) {
    lower(key, 1, 0);
  }

  /**
   * The object {@code deletedKey} was seen deleted, or its deletion failed. Counts only if it was
   * expected with {@link #expectDeletions}, and only once.
   */
  public synchronized void deletionObserved(String key, String deletedKey) {
    Record r = records.get(key);
    if (r != null && r.deletedKeys.remove(deletedKey)) {
      r.dels--;
    }
  }

  /** Lowers the pending creations and deletions of {@code key} (upstream's {@code LowerExpectations}). */
  public synchronized void lower(String key, int adds, int dels) {
    Record r = records.get(key);
    if (r != null) {
      r.adds -= adds;
      r.dels -= dels;
    }
  }

  /**
   * Whether {@code key} may be synced: nothing is pending, the record expired, or there is none.
   */
  public synchronized boolean satisfied(String key) {
    Record r = records.get(key);
    if (r == null) {
      return true;
    }
    if (r.adds <= 0 && r.dels <= 0) {
      return true;
    }
    return Duration.between(r.timestamp, clock.instant()).compareTo(TTL) > 0;
  }

  /** The creations and deletions still pending for {@code key}: {@code [adds, dels]}, zeros if none. */
  public synchronized int[] pending(String key) {
    Record r = records.get(key);
    return r == null ? new int[] {0, 0} : new int[] {Math.max(0, r.adds), Math.max(0, r.dels)};
  }

  /** Forgets {@code key}, for example when its owner was deleted. */
  public synchronized void delete(String key) {
    records.remove(key);
  }

  private void set(String key, int adds, int dels, Collection<String> deletedKeys) {
    Record r = newRecord();
    r.adds = adds;
    r.dels = dels;
    r.deletedKeys.addAll(deletedKeys);
    records.put(key, r);
  }

  private Record newRecord() {
    Record r = new Record();
    r.timestamp = clock.instant();
    return r;
  }
}

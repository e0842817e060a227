package io.bosun.scheduler.spi;

import io.bosun.api.core.v1.Pod;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keeps plugin-side state in step with the choice of a node before the binding completes, as
 * upstream's {@code ReservePlugin} (e.g. volume binding reserves volumes). The scheduler's own
 * cache already counts the pod on its node ("assumed") when Reserve runs.
 */
@ConsumerType
public interface ReservePlugin extends Plugin {

  /**
   * Reserves for {@code pod} on {@code nodeName}. On the scheduling thread; <b>must not block</b>.
   *
   * @return null / success; any other status fails the attempt and triggers {@link #unreserve} of
   *         every Reserve plugin, in reverse order
   */
  Status reserve(CycleState state, Pod pod, String nodeName);

  /**
   * Undoes {@link #reserve}. Called when reserve, permit, pre-bind or bind fail, on the scheduling
   * thread or a binding thread; also for plugins whose own reserve was not reached or failed, so it
   * must be <b>idempotent</b> and tolerate having nothing to undo. Must not fail (exceptions are
   * logged and ignored) and should not block.
   */
  void unreserve(CycleState state, Pod pod, String nodeName);
}

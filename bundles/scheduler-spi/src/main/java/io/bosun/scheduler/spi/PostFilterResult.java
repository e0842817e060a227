package io.bosun.scheduler.spi;

/**
 * What a {@link PostFilterPlugin} returns, as upstream's {@code PostFilterResult}: a status and,
 * on success, the node the pod is nominated to (where preemption made room). Immutable.
 *
 * @param status            success if the plugin made the pod schedulable (e.g. victims are being
 *                          deleted), {@link Status.Code#UNSCHEDULABLE} if it could not help,
 *                          {@link Status.Code#ERROR} on failure
 * @param nominatedNodeName the node to nominate (written to {@code status.nominatedNodeName}), or null
 */
public record PostFilterResult(Status status, String nominatedNodeName) {

  /** The plugin could not help. */
  public static PostFilterResult unschedulable(String... reasons) {
    return new PostFilterResult(Status.unschedulable(reasons), null);
  }

  /** The pod is nominated to {@code nodeName}. */
  public static PostFilterResult nominate(String nodeName) {
    return new PostFilterResult(Status.success(), nodeName);
  }
}

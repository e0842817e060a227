package io.bosun.scheduler.spi;

import java.time.Duration;

/**
 * What a {@link PermitPlugin} returns, as upstream's {@code (Status, time.Duration)} pair.
 *
 * @param status  null / success to allow; {@link Status.Code#WAIT} to hold the binding until
 *                {@link WaitingPod#allow} / {@link WaitingPod#reject} or the timeout; a rejection
 *                ({@link Status.Code#UNSCHEDULABLE}...) or error to deny
 * @param timeout for {@link Status.Code#WAIT}: the longest wait (capped at 15 minutes, as upstream),
 *                after which the pod is rejected; ignored otherwise
 */
public record PermitResult(Status status, Duration timeout) {

  private static final PermitResult ALLOW = new PermitResult(null, Duration.ZERO);

  /** Allow the binding now. */
  public static PermitResult allow() {
    return ALLOW;
  }

  /** Hold the binding for at most {@code timeout}. */
  public static PermitResult waitFor(Duration timeout, String... reasons) {
    return new PermitResult(Status.waiting(reasons), timeout);
  }

  /** Deny the binding. */
  public static PermitResult reject(Status status) {
    return new PermitResult(status, Duration.ZERO);
  }
}

package io.bosun.scheduler.spi;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of running a plugin, as upstream's {@code framework.Status}: a {@link Code}, the
 * reasons (human-readable, shown in events and the {@code PodScheduled} condition), the plugin
 * that produced it and, for errors, the cause. Immutable and thread-safe.
 *
 * <p><b>A {@code null} status is success</b>, as is {@link #success()}: plugins may return either.
 * Use the static {@link #isSuccess(Status)} and {@link #code(Status)} to read a status that may be
 * null.
 */
public final class Status {

  /** What a status means; the names are upstream's codes. */
  public enum Code {
    /** The plugin ran and the pod may proceed. */
    SUCCESS,
    /**
     * An internal failure (a bug, an unreachable API server): the scheduling attempt is aborted and
     * the pod is retried with backoff. Not a statement about the pod's fit.
     */
    ERROR,
    /**
     * The pod does not fit for now, but preemption (PostFilter) might make room on this node or a
     * cluster event might; the pod goes to the unschedulable queue.
     */
    UNSCHEDULABLE,
    /**
     * The pod does not fit and preemption on this node cannot help (e.g. a node selector mismatch);
     * only a cluster event can change that.
     */
    UNSCHEDULABLE_AND_UNRESOLVABLE,
    /** From Permit only: the binding waits until allowed, rejected or timed out. */
    WAIT,
    /**
     * From PreFilter / PreScore: this plugin has nothing to check for this pod; its Filter / Score
     * is skipped in this cycle. From Bind: this plugin does not bind this pod; the next Bind plugin
     * is asked.
     */
    SKIP,
    /**
     * The pod waits for something outside the scheduler (e.g. a scheduling gate, a missing
     * plugin) rather than for a change of nodes or pods. Treated like {@link #UNSCHEDULABLE} by the
     * queue, but never triggers preemption.
     */
    PENDING
  }

  private static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), null, null);
  private static final Status SKIP = new Status(Code.SKIP, List.of(), null, null);

  private final Code code;
  private final List<String> reasons;
  private final String plugin;
  private final Throwable cause;

  private Status(Code code, List<String> reasons, String plugin, Throwable cause) {
    this.code = Objects.requireNonNull(code, "code");
    this.reasons = List.copyOf(reasons);
    this.plugin = plugin;
    this.cause = cause;
  }

  /** A status with {@code code} and the given reasons (none may be null). */
  public static Status of(Code code, String... reasons) {
    if (code == Code.SUCCESS && reasons.length == 0) {
      return SUCCESS;
    }
    return new Status(code, List.of(reasons), null, null);
  }

  /** Success (the same as {@code null}). */
  public static Status success() {
    return SUCCESS;
  }

  /** {@link Code#SKIP}. */
  public static Status skip() {
    return SKIP;
  }

  /** {@link Code#UNSCHEDULABLE} with reasons such as {@code "Insufficient cpu"}. */
  public static Status unschedulable(String... reasons) {
    return of(Code.UNSCHEDULABLE, reasons);
  }

  /** {@link Code#UNSCHEDULABLE_AND_UNRESOLVABLE} with reasons. */
  public static Status unresolvable(String... reasons) {
    return of(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, reasons);
  }

  /** {@link Code#PENDING} with reasons. */
  public static Status pending(String... reasons) {
    return of(Code.PENDING, reasons);
  }

  /** {@link Code#WAIT} with reasons (for Permit). */
  public static Status waiting(String... reasons) {
    return of(Code.WAIT, reasons);
  }

  /** {@link Code#ERROR} with a message. */
  public static Status error(String message) {
    return new Status(Code.ERROR, List.of(message), null, null);
  }

  /** {@link Code#ERROR} caused by {@code cause}; its message (or class name) is the reason. */
  public static Status error(Throwable cause) {
    String message = cause.getMessage() == null ? cause.getClass().getName() : cause.getMessage();
    return new Status(Code.ERROR, List.of(message), null, cause);
  }

  /** This status attributed to {@code plugin} (the framework does this for every non-success status it receives). */
  public Status withPlugin(String plugin) {
    if (Objects.equals(plugin, this.plugin)) {
      return this;
    }
    return new Status(code, reasons, plugin, cause);
  }

  /** This status with one more reason. */
  public Status withReason(String reason) {
    List<String> more = new java.util.ArrayList<>(reasons);
    more.add(reason);
    return new Status(code, more, plugin, cause);
  }

  public Code code() {
    return code;
  }

  /** The reasons, in order; unmodifiable, possibly empty. */
  public List<String> reasons() {
    return reasons;
  }

  /** The plugin that returned this status, or null if not attributed. */
  public String plugin() {
    return plugin;
  }

  /** For {@link Code#ERROR}: the exception behind it, or null. */
  public Throwable cause() {
    return cause;
  }

  /** The reasons joined by {@code ", "}, as upstream's {@code Message()}. */
  public String message() {
    return String.join(", ", reasons);
  }

  public boolean isSuccess() {
    return code == Code.SUCCESS;
  }

  public boolean isSkip() {
    return code == Code.SKIP;
  }

  public boolean isWait() {
    return code == Code.WAIT;
  }

  /** Unschedulable, unresolvable or pending: the pod was rejected (as opposed to an error). */
  public boolean isRejected() {
    return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE || code == Code.PENDING;
  }

  /** Whether {@code status} is success; {@code null} is. */
  public static boolean isSuccess(Status status) {
    return status == null || status.code == Code.SUCCESS;
  }

  /** The code of {@code status}; {@link Code#SUCCESS} for {@code null}. */
  public static Code code(Status status) {
    return status == null ? Code.SUCCESS : status.code;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Status s && code == s.code && reasons.equals(s.reasons) && Objects.equals(plugin, s.plugin);
  }

  @Override
  public int hashCode() {
    return Objects.hash(code, reasons, plugin);
  }

  @Override
  public String toString() {
    return code + (plugin == null ? "" : "(" + plugin + ")") + (reasons.isEmpty() ? "" : ": " + message());
  }
}

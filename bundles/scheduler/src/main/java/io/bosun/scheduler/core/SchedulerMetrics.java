package io.bosun.scheduler.core;

/** What the engine reports to metrics; the component maps it to Prometheus. Thread-safe. */
public interface SchedulerMetrics {

  /**
   * One scheduling attempt ended.
   *
   * @param result  {@code scheduled}, {@code unschedulable} or {@code error} (upstream's labels)
   * @param profile the profile's scheduler name
   * @param seconds from the start of the scheduling cycle to the end of the attempt
   */
  void attempt(String result, String profile, double seconds);

  /** Reports nothing. */
  SchedulerMetrics NOOP = (result, profile, seconds) -> {
  };
}

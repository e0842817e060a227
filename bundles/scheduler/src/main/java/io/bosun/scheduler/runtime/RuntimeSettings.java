package io.bosun.scheduler.runtime;

import io.bosun.scheduler.core.SchedulerOptions;
import io.bosun.scheduler.queue.SchedulingQueue;
import java.time.Duration;

/**
 * The non-profile settings of a running scheduler, from its configuration. Changing any of them
 * restarts the leader election and the engine (profiles stay; no plugin is recreated).
 *
 * @param options            engine options
 * @param leaderElect        whether to elect a leader through a Lease (false: always schedule)
 * @param leaseNamespace     namespace of the Lease
 * @param leaseName          name of the Lease
 * @param leaseDuration      Lease duration
 * @param renewDeadline      renew deadline
 * @param retryPeriod        retry period
 * @param identity           this instance's identity in the Lease and events
 * @param profilesConfigMap  {@code namespace/name} of the ConfigMap with profiles, or "" for none
 * @param statusConfigMap    {@code namespace/name} of the ConfigMap the leader writes its status to, or ""
 */
record RuntimeSettings(SchedulerOptions options, boolean leaderElect, String leaseNamespace, String leaseName,
    Duration leaseDuration, Duration renewDeadline, Duration retryPeriod, String identity, String profilesConfigMap,
    String statusConfigMap) {

  static RuntimeSettings of(SchedulerConfig c, String identity) {
    SchedulerOptions o = new SchedulerOptions(c.percentageOfNodesToScore(),
        new SchedulingQueue.Options(Duration.ofMillis(c.podInitialBackoffMillis()), Duration.ofMillis(c.podMaxBackoffMillis()),
            Duration.ofSeconds(c.podMaxInUnschedulablePodsSeconds())),
        Duration.ofSeconds(c.assumedPodTtlSeconds()), c.randomSeed() == 0 ? null : c.randomSeed(), Duration.ofSeconds(30));
    String[] lease = split(c.leaseName(), "lease");
    return new RuntimeSettings(o, c.leaderElect(), lease[0], lease[1], Duration.ofSeconds(c.leaseDurationSeconds()),
        Duration.ofSeconds(c.renewDeadlineSeconds()), Duration.ofSeconds(c.retryPeriodSeconds()),
        c.identity().isBlank() ? identity : c.identity(), c.profilesConfigMap().strip(), c.statusConfigMap().strip());
  }

  /** Splits {@code namespace/name}. */
  static String[] split(String namespacedName, String what) {
    int slash = namespacedName.indexOf('/');
    if (slash <= 0 || slash == namespacedName.length() - 1) {
      throw new IllegalArgumentException(what + " must be namespace/name: " + namespacedName);
    }
    return new String[] {namespacedName.substring(0, slash), namespacedName.substring(slash + 1)};
  }
}

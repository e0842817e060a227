package io.bosun.scheduler.core;

import io.bosun.scheduler.queue.SchedulingQueue;
import java.time.Duration;

/**
 * Settings of a scheduling engine.
 *
 * @param percentageOfNodesToScore scheduler-wide default (0: adaptive, upstream's 50 - nodes/125,
 *                                 at least 5%); a profile's own setting wins
 * @param queue                    backoff and flush timings
 * @param assumedPodTtl            how long a bound-but-unconfirmed assumed pod stays counted
 * @param randomSeed               seed for breaking score ties; null for a random seed
 * @param bindingDrainTimeout      how long {@link Scheduler#stop()} waits for binding cycles
 */
public record SchedulerOptions(int percentageOfNodesToScore, SchedulingQueue.Options queue, Duration assumedPodTtl,
    Long randomSeed, Duration bindingDrainTimeout) {

  public static SchedulerOptions defaults() {
    return new SchedulerOptions(0, SchedulingQueue.Options.defaults(), Duration.ofSeconds(30), null,
        Duration.ofSeconds(30));
  }

  public SchedulerOptions withRandomSeed(Long seed) {
    return new SchedulerOptions(percentageOfNodesToScore, queue, assumedPodTtl, seed, bindingDrainTimeout);
  }

  public SchedulerOptions withPercentageOfNodesToScore(int pct) {
    return new SchedulerOptions(pct, queue, assumedPodTtl, randomSeed, bindingDrainTimeout);
  }

  public SchedulerOptions withQueue(SchedulingQueue.Options q) {
    return new SchedulerOptions(percentageOfNodesToScore, q, assumedPodTtl, randomSeed, bindingDrainTimeout);
  }
}

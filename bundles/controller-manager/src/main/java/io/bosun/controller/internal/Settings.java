package io.bosun.controller.internal;

import io.bosun.client.leaderelection.LeaderElectionConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link ControllerManager} runs.
 *
 * @param controllers     which controllers run, as upstream's {@code --controllers}: {@code *}
 *                        for all, {@code name} to enable one, {@code -name} to disable one
 * @param defaultWorkers  workers per controller unless {@code workers} names it
 * @param workers         workers by controller name
 * @param resyncPeriod    the informers' resync period for handlers; zero for none
 * @param leaderElection  the lease to lead through; null to lead at once (one replica)
 * @param stopTimeout     how long a stopping controller may take before its threads are interrupted
 * @param identity        this replica's name, in the lease and in events' reportingInstance
 */
public record Settings(List<String> controllers, int defaultWorkers, Map<String, Integer> workers,
    Duration resyncPeriod, LeaderElectionConfig leaderElection, Duration stopTimeout, String identity) {

  public Settings {
    controllers = List.copyOf(controllers);
    workers = Map.copyOf(workers);
    Objects.requireNonNull(resyncPeriod, "resyncPeriod");
    Objects.requireNonNull(stopTimeout, "stopTimeout");
    Objects.requireNonNull(identity, "identity");
    if (defaultWorkers < 1) {
      throw new IllegalArgumentException("workers must be at least 1: " + defaultWorkers);
    }
  }

  /** All controllers, 5 workers each, no resync, no leader election, 30 s to stop: for tests. */
  public static Settings standalone(String identity) {
    return new Settings(List.of("*"), 5, Map.of(), Duration.ZERO, null, Duration.ofSeconds(30), identity);
  }

  public Settings withLeaderElection(LeaderElectionConfig leaderElection) {
    return new Settings(controllers, defaultWorkers, workers, resyncPeriod, leaderElection, stopTimeout, identity);
  }

  public Settings withControllers(List<String> controllers) {
    return new Settings(controllers, defaultWorkers, workers, resyncPeriod, leaderElection, stopTimeout, identity);
  }

  public Settings withWorkers(int defaultWorkers, Map<String, Integer> workers) {
    return new Settings(controllers, defaultWorkers, workers, resyncPeriod, leaderElection, stopTimeout, identity);
  }

  public Settings withStopTimeout(Duration stopTimeout) {
    return new Settings(controllers, defaultWorkers, workers, resyncPeriod, leaderElection, stopTimeout, identity);
  }

  /** Whether the controller {@code name} is enabled: upstream's rules (an explicit name or {@code -name} beats {@code *}). */
  public boolean enabled(String name) {
    if (controllers.contains("-" + name)) {
      return false;
    }
    return controllers.contains(name) || controllers.contains("*");
  }

  public int workersOf(String name) {
    return workers.getOrDefault(name, defaultWorkers);
  }
}

package io.bosun.scheduler.spi;

import java.util.function.IntConsumer;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs work pieces on the scheduler's worker pool, as upstream's {@code parallelize.Parallelizer}.
 * Implemented by the framework; thread-safe.
 */
@ProviderType
public interface Parallelizer {

  /** How many pieces run at once at most. */
  int parallelism();

  /**
   * Calls {@code work} for every index in [0, {@code pieces}) in parallel and returns once all
   * calls have finished. {@code work} must be thread-safe; to stop early, have it check a flag of
   * your own. If a piece throws, the remaining pieces are skipped and the first exception is
   * rethrown here.
   */
  void until(int pieces, IntConsumer work);
}

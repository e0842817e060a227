package io.bosun.client.leaderelection;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What a {@link LeaderElector} tells its owner. Every method has an empty default. The callbacks
 * run on one thread of the elector, in order, never concurrently, and separately from lease
 * renewal, so a slow callback does not cost the lease; but {@code onStoppedLeading} only runs
 * after {@code onStartedLeading} returned, so start work there and return.
 */
@ConsumerType
public interface LeaderCallbacks {

  /** This elector became the leader: start the work only a leader does. */
  default void onStartedLeading() {
  }

  /**
   * This elector is no longer the leader (it could not renew in time, or it was closed): stop
   * that work at once, since another replica may already be leading.
   */
  default void onStoppedLeading() {
  }

  /** The lease has a new holder (possibly this elector); not called while nobody holds it. */
  default void onNewLeader(String identity) {
  }
}

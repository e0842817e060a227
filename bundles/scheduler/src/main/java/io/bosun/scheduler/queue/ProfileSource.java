package io.bosun.scheduler.queue;

import io.bosun.scheduler.framework.ProfileSet;

/** Gives the current profile set, retained (the caller releases it), or null if there is none. */
@FunctionalInterface
public interface ProfileSource {
  ProfileSet acquire();
}

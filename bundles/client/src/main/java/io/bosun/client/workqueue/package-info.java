/**
 * Work queues for controllers, as client-go's {@code util/workqueue}: a
 * {@link io.bosun.client.workqueue.WorkQueue} of keys that de-duplicates, never hands one key to
 * two workers at once, delays, and rate-limits retries per key
 * ({@link io.bosun.client.workqueue.RateLimiters}).
 */
@Export
@Version("1.0.0")
package io.bosun.client.workqueue;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

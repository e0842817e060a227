/**
 * The storage contract every Bosun store backend implements: an ordered key space with
 * multi-version concurrency control, shaped after etcd v3.
 *
 * <p>Every committed write advances one store-wide revision; that revision is what the API
 * server exposes as {@code resourceVersion}. Reads may be served at a past revision, and watches
 * may start from a past revision, as long as that revision has not been compacted away.
 */
@Export
@Version("1.0.0")
package io.bosun.store.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

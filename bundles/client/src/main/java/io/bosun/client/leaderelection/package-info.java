/**
 * Leader election on a {@code coordination.k8s.io/v1} Lease, as client-go's
 * {@code tools/leaderelection}: of several replicas of a component, one leads at a time.
 */
@Export
@Version("1.0.0")
package io.bosun.client.leaderelection;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

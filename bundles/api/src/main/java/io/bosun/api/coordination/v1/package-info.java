/** coordination.k8s.io/v1: leases, used for leader election and node heartbeats. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.coordination.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/** Upstream's defaulting of API objects (restartPolicy, strategies, grace periods ...). */
@Export
@Version("0.1.0")
package io.bosun.api.defaulting;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/** policy/v1: pod disruption budgets and evictions. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.policy.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/** apps/v1: deployments, replica sets, daemon sets, stateful sets and controller revisions. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.apps.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

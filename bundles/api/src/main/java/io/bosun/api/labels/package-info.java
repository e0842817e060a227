/** Label and field selectors: parsing upstream's string syntax and matching objects. */
@Export
@Version("0.1.0")
package io.bosun.api.labels;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

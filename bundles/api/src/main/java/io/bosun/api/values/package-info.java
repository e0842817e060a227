/** Value types shared by the API model: quantities, int-or-string, and timestamps. */
@Export
@Version("0.1.0")
package io.bosun.api.values;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/** JSON and YAML encoding and decoding of API objects, with unknown-field detection. */
@Export
@Version("0.1.0")
package io.bosun.api.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

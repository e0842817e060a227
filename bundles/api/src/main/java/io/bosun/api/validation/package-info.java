/** Validation of API objects as upstream validates them, reported as field errors. */
@Export
@Version("0.1.0")
package io.bosun.api.validation;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

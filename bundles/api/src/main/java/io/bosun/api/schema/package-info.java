/** The API model as data: types, fields with patch metadata, and served kinds. */
@Export
@Version("0.2.0")
package io.bosun.api.schema;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

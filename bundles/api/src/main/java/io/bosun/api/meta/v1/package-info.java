/** meta.k8s.io/v1: object and list metadata, Status, discovery documents and tables. */
@Export
@Version("0.1.0")
package io.bosun.api.meta.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

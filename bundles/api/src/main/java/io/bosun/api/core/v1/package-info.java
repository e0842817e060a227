/** core/v1 (the legacy core group): pods, services, nodes, namespaces, config maps, secrets, volumes, events ... Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.core.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/** node.k8s.io/v1: runtime classes. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.node.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

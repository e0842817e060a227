/** autoscaling/v1: Scale, the body of the scale subresource. Generated from the API model files. */
@Export
@Version("0.1.0")
package io.bosun.api.autoscaling.v1;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Encoding and decoding of API objects: JSON and YAML with unknown-field detection, and
 * Kubernetes protobuf ({@code application/vnd.kubernetes.protobuf}) driven by the model.
 */
@Export
@Version("0.2.0")
package io.bosun.api.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

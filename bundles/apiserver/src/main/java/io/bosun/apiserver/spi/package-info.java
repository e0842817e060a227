/**
 * Extension point of the API server: extra HTTP routes served by other bundles (platform
 * endpoints such as plugin upload) under path prefixes the Kubernetes API does not use. A
 * {@link io.bosun.apiserver.spi.RouteHandler} service with the
 * {@link io.bosun.apiserver.spi.RouteHandler#PATH_PREFIX} property is consulted only for paths
 * the API server does not serve itself.
 */
@Export
@Version("1.0.0")
package io.bosun.apiserver.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * Typed access to a Kubernetes-compatible API server: CRUD, patch, server-side apply, delete with
 * options, list with pagination, HTTP watches and the subresources components need (status,
 * scale, binding, eviction).
 *
 * <p>Start with {@link io.bosun.client.ApiClient#create(ClientConfig)} outside OSGi, or reference
 * the {@link io.bosun.client.ApiClient} service inside it (configuration PID
 * {@code io.bosun.client}). Failures are unchecked: {@link io.bosun.client.ClientStatusException}
 * when the server answered with an error {@code Status}, {@link io.bosun.client.ClientTransportException}
 * when no answer arrived. Semantics follow client-go.
 */
@Export
@Version("1.0.0")
package io.bosun.client;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

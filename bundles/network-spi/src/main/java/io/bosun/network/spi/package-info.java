/**
 * The pod network contract: what a container runtime asks of a network plugin, shaped like the
 * Container Network Interface (CNI) so that CNI plugins fit behind it.
 *
 * <h2>Roles</h2>
 * A container runtime (for example the {@code oci} runtime) owns each pod sandbox's network
 * namespace: it creates it, runs the pod's containers in it and deletes it. A network plugin
 * bundle registers a {@link io.bosun.network.spi.PodNetwork} service that puts an interface and
 * addresses into such a namespace ({@link io.bosun.network.spi.PodNetwork#attach}, CNI {@code ADD})
 * and takes them away again ({@link io.bosun.network.spi.PodNetwork#detach}, CNI {@code DEL}).
 * The runtime reports the address to the kubelet as the pod IP.
 *
 * <h2>Registration and selection</h2>
 * The service carries {@value io.bosun.network.spi.PodNetwork#NETWORK_NAME} (for example
 * {@code bosun.network=bridge}); a runtime's configuration names the network it uses. A runtime
 * whose network is missing reports NetworkReady=false instead of failing.
 *
 * <h2>State</h2>
 * A plugin keeps what it needs to detach (CNI's cached ADD result) itself, keyed by the sandbox
 * id, and must survive its own restart and the runtime's: detach may come from another instance
 * than attach. Deactivating a plugin must not detach anything.
 *
 * <h2>Threads</h2>
 * Methods may be called concurrently for different sandboxes and may block (they run programs).
 */
@Export
@Version("1.0.0")
package io.bosun.network.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

/**
 * The container runtime contract of Bosun's kubelet: upstream's Container Runtime Interface (CRI)
 * in Java. A runtime plugin bundle depends on this package only (not even on the API model: like
 * the CRI it speaks of sandboxes, containers and images, never of Pods).
 *
 * <h2>Shape</h2>
 * A runtime registers one {@link io.bosun.runtime.spi.ContainerRuntime} service. The root names
 * the runtime ({@link io.bosun.runtime.spi.ContainerRuntime#version()}), says what it can do as
 * data ({@link io.bosun.runtime.spi.RuntimeCapabilities}: the kubelet never probes a runtime by
 * trial) and reports its health ({@link io.bosun.runtime.spi.RuntimeStatus}); the work is split
 * into small services reached from it:
 * {@link io.bosun.runtime.spi.SandboxService} (pod sandboxes),
 * {@link io.bosun.runtime.spi.ContainerService} (containers and their logs),
 * {@link io.bosun.runtime.spi.ImageService} (images) and, when
 * {@link io.bosun.runtime.spi.RuntimeCapabilities#exec()} is set,
 * {@link io.bosun.runtime.spi.ExecService} (exec-sync, used by exec probes and preStop hooks).
 *
 * <h2>Registration and selection</h2>
 * The service carries the property {@value io.bosun.runtime.spi.ContainerRuntime#RUNTIME_NAME}
 * (for example {@code bosun.runtime=process}); the kubelet's {@code runtime} setting picks the
 * default runtime by that name. A pod may ask for another one through {@code runtimeClassName}:
 * the kubelet reads the RuntimeClass and looks its {@code handler} up among the runtimes'
 * {@value io.bosun.runtime.spi.ContainerRuntime#HANDLERS} properties (default: the runtime's name),
 * then passes the handler on in {@link io.bosun.runtime.spi.SandboxConfig#runtimeHandler()}.
 * The kubelet checks {@link io.bosun.runtime.spi.RuntimeVersion#apiVersion()} against
 * {@link io.bosun.runtime.spi.ContainerRuntime#API_VERSION} and ignores runtimes built for
 * another contract.
 *
 * <h2>State and restarts</h2>
 * The kubelet keeps no container state of its own: after a restart of the kubelet bundle (or of
 * the node process) it lists sandboxes and containers from the runtime and re-adopts them by the
 * labels it put on them ({@link io.bosun.runtime.spi.Labels}). A runtime whose
 * {@link io.bosun.runtime.spi.RuntimeCapabilities#survivesRestart()} is set keeps its containers
 * running and listed across its own restarts too; deactivating a runtime component must never
 * stop containers.
 *
 * <h2>Errors</h2>
 * Well-known failures are sentinel exception types, all {@link
 * io.bosun.runtime.spi.ContainerRuntimeException}s carrying the reason the kubelet reports
 * ({@link io.bosun.runtime.spi.NotFoundException}, {@link io.bosun.runtime.spi.ImagePullException},
 * {@link io.bosun.runtime.spi.CreateContainerException},
 * {@link io.bosun.runtime.spi.StartContainerException}, ...). Ordinary outcomes, such as a
 * command exiting non-zero or timing out in exec, are values, not exceptions.
 *
 * <h2>Threads</h2>
 * Every method may be called from any thread, concurrently, and may block (for I/O, a pull, a
 * stop's grace period); the kubelet calls them from per-pod worker threads.
 */
@Export
@Version("1.0.0")
package io.bosun.runtime.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

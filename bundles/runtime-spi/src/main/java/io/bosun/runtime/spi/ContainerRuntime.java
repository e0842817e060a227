package io.bosun.runtime.spi;

import java.util.Optional;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * A container runtime, as a plugin bundle provides it to the kubelet. Register one instance as an
 * OSGi service (a Declarative Services component) with the service property
 * {@value #RUNTIME_NAME}:
 *
 * <pre>{@code
 * @Component(service = ContainerRuntime.class, property = {
 *     ContainerRuntime.RUNTIME_NAME + "=process",
 *     ContainerRuntime.HANDLERS + "=process"})
 * public final class ProcessRuntimeComponent implements ContainerRuntime { ... }
 * }</pre>
 *
 * <p>Thread-safe; every method may be called concurrently. Deactivating the component (bundle
 * update, framework stop) releases the runtime's threads and handles but must leave containers
 * running: the next instance, or the next kubelet, adopts them.
 */
@ConsumerType
public interface ContainerRuntime {

  /**
   * Service property: the runtime's name, such as {@code process}, {@code fake} or {@code oci}.
   * Required; the kubelet ignores runtimes without it. The kubelet's {@code runtime} setting
   * names the default runtime by this value.
   */
  String RUNTIME_NAME = "bosun.runtime";

  /**
   * Service property (String or String[]): the RuntimeClass handler names this runtime serves
   * ({@code RuntimeClass.handler}); absent means just its {@value #RUNTIME_NAME}. The handler a
   * pod asked for reaches the runtime as {@link SandboxConfig#runtimeHandler()}.
   */
  String HANDLERS = "bosun.runtime.handlers";

  /** The version of this contract; a runtime reports the one it implements in {@link RuntimeVersion#apiVersion()}. */
  int API_VERSION = 1;

  /** Name and version of the runtime and the contract version it implements. Constant; cheap. */
  RuntimeVersion version();

  /** What the runtime can do. Constant for the instance's life; cheap. */
  RuntimeCapabilities capabilities();

  /**
   * Whether the runtime can run containers now (CRI {@code Status}). May do I/O but must answer
   * within about a second; the kubelet calls it for the node's Ready condition.
   */
  RuntimeStatus status();

  /** Pod sandboxes: the environment (network, shared namespaces, log folder) a pod's containers share. */
  SandboxService sandboxes();

  /** Containers and their logs. */
  ContainerService containers();

  /** Images. */
  ImageService images();

  /**
   * Running commands inside containers; present exactly when {@link RuntimeCapabilities#exec()}
   * is set.
   */
  Optional<ExecService> exec();
}

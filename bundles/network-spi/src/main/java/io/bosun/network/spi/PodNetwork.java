package io.bosun.network.spi;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A pod network, as a plugin bundle provides it to container runtimes. Register one instance as
 * an OSGi service with the service property {@value #NETWORK_NAME}. Thread-safe.
 */
@ConsumerType
public interface PodNetwork {

  /** Service property: the network's name, such as {@code bridge}. Runtimes select a network by it. */
  String NETWORK_NAME = "bosun.network";

  /** The version of this contract; a plugin reports the one it implements in {@link #apiVersion()}. */
  int API_VERSION = 1;

  /** The network's name (the same as its {@value #NETWORK_NAME} property). */
  String name();

  /** The contract version the plugin implements ({@link #API_VERSION}). */
  default int apiVersion() {
    return API_VERSION;
  }

  /**
   * Whether pods can be attached now (CNI plugins installed, configuration valid). Must answer
   * within about a second; runtimes report it as their NetworkReady condition.
   */
  NetworkStatus status();

  /**
   * Attaches a sandbox's network namespace (CNI {@code ADD}): an interface, addresses, routes,
   * and the requested host ports. Blocks until done. Attaching a sandbox that is attached already
   * detaches it first.
   *
   * @return the addresses given to the pod
   * @throws NetworkException when the namespace cannot be attached; nothing is left attached then
   */
  Attachment attach(AttachRequest request);

  /**
   * Detaches a sandbox (CNI {@code DEL}): releases its addresses and host ports. Idempotent; the
   * namespace may be gone already (after a reboot), then only the plugin's own state is released.
   *
   * @throws NetworkException when something could not be released (the runtime retries)
   */
  void detach(AttachRequest request);
}

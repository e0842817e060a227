package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodStatus;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the kubelet remembers about one pod between syncs. Written by the pod's worker; the
 * volatile parts are read by others (logs, probes, eviction). Nothing here is needed to carry on
 * after a restart: the runtime's containers and the API's pod are the truth.
 */
final class PodState {

  /** Why a container is not running, as its waiting state reports it. */
  record Waiting(String reason, String message) {}

  final String uid;
  /** The pod as last seen in a source; kept after it left them, to tear it down. */
  volatile Pod pod;
  /** The runtime its sandbox lives in, once known. */
  volatile String runtime = "";
  /** The pod's IP, once its sandbox exists. */
  volatile String podIP = "";
  /** Container name → why it waits (CrashLoopBackOff, ErrImagePull ...); absent when it runs or is just created. */
  final Map<String, Waiting> waiting = new ConcurrentHashMap<>();
  /** A pod-level problem keeping every container waiting (volume setup, sandbox), or null. */
  volatile Waiting podWaiting;
  /** The status last written to the API server, to skip writing the same again. */
  PodStatus lastWritten;
  /** The resourceVersion of the pod object the last status was written to. */
  String lastWrittenTo = "";
  Instant startTime;
  /** Set once the pod reached Succeeded or Failed: nothing restarts any more. */
  volatile boolean terminal;
  /** Eviction requested by the eviction manager: {reason, message}; null if not evicted. */
  volatile String[] eviction;
  /** When a graceful termination in progress must be over. */
  Instant terminationDeadline;
  /** Containers and sandbox stopped after deletion, eviction or a terminal phase. */
  boolean killed;
  /** The final delete (grace 0, uid precondition) has been sent. */
  boolean finalDeleteSent;
  /** The phase last computed. */
  volatile String phase = "Pending";

  PodState(String uid) {
    this.uid = uid;
  }
}

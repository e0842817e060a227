package io.bosun.kubelet;

import io.bosun.api.core.v1.Pod;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The pods this node should run, from both sources: the API server (pods bound to this node) and
 * the static pod folder, plus the mirror pods that represent static pods in the API. Every change
 * is reported to {@code onChange} with the pod's uid. Thread-safe.
 */
final class PodManager {

  /** Annotation on a mirror pod: the static pod's hash (its uid). */
  static final String MIRROR = "kubernetes.io/config.mirror";
  /** Annotation of static pods: their hash. */
  static final String CONFIG_HASH = "kubernetes.io/config.hash";
  /** Annotation of every pod the kubelet runs: where it came from ({@code api} or {@code file}). */
  static final String CONFIG_SOURCE = "kubernetes.io/config.source";

  private final Map<String, Pod> apiPods = new ConcurrentHashMap<>();
  private final Map<String, Pod> staticPods = new ConcurrentHashMap<>();
  private final Map<String, Pod> mirrors = new ConcurrentHashMap<>();
  private final Consumer<String> onChange;

  PodManager(Consumer<String> onChange) {
    this.onChange = onChange;
  }

  static String fullName(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  static boolean isMirror(Pod pod) {
    var a = pod.getMetadata().getAnnotations();
    return a != null && a.containsKey(MIRROR);
  }

  /** A pod from the API server was added or changed. */
  void apiUpsert(Pod pod) {
    if (isMirror(pod)) {
      mirrors.put(fullName(pod), pod);
      staticByName(fullName(pod)).ifPresent(s -> onChange.accept(s.getMetadata().getUid()));
      return;
    }
    apiPods.put(pod.getMetadata().getUid(), pod);
    onChange.accept(pod.getMetadata().getUid());
  }

  /** A pod is gone from the API server. */
  void apiDelete(Pod pod) {
    if (isMirror(pod)) {
      mirrors.remove(fullName(pod), pod);
      mirrors.computeIfPresent(fullName(pod), (k, v) -> v.getMetadata().getUid().equals(pod.getMetadata().getUid())
          ? null : v);
      staticByName(fullName(pod)).ifPresent(s -> onChange.accept(s.getMetadata().getUid()));
      return;
    }
    apiPods.remove(pod.getMetadata().getUid());
    onChange.accept(pod.getMetadata().getUid());
  }

  /** The static pods now in the manifest folder (replacing the previous set). */
  void setStatic(Collection<Pod> pods) {
    Set<String> changed = new HashSet<>();
    Map<String, Pod> next = new java.util.HashMap<>();
    for (Pod p : pods) {
      next.put(p.getMetadata().getUid(), p);
    }
    for (String uid : staticPods.keySet()) {
      if (!next.containsKey(uid)) {
        staticPods.remove(uid);
        changed.add(uid);
      }
    }
    next.forEach((uid, p) -> {
      if (staticPods.put(uid, p) == null) {
        changed.add(uid);
      }
    });
    changed.forEach(onChange);
  }

  Optional<Pod> get(String uid) {
    Pod p = apiPods.get(uid);
    return Optional.ofNullable(p != null ? p : staticPods.get(uid));
  }

  boolean isStatic(String uid) {
    return staticPods.containsKey(uid);
  }

  /** A running pod by namespace and name (static pods by their name with the node suffix). */
  Optional<Pod> byName(String namespace, String name) {
    String full = namespace + "/" + name;
    for (Pod p : apiPods.values()) {
      if (fullName(p).equals(full)) {
        return Optional.of(p);
      }
    }
    return staticByName(full);
  }

  private Optional<Pod> staticByName(String full) {
    return staticPods.values().stream().filter(p -> fullName(p).equals(full)).findFirst();
  }

  /** The mirror pod of a static pod, if one exists in the API. */
  Optional<Pod> mirrorOf(Pod staticPod) {
    return Optional.ofNullable(mirrors.get(fullName(staticPod)));
  }

  /** Every pod to run. */
  List<Pod> all() {
    List<Pod> out = new ArrayList<>(apiPods.values());
    out.addAll(staticPods.values());
    return out;
  }

  Set<String> uids() {
    Set<String> out = new HashSet<>(apiPods.keySet());
    out.addAll(staticPods.keySet());
    return out;
  }
}

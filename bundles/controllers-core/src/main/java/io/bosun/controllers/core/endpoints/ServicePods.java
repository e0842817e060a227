package io.bosun.controllers.core.endpoints;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodIP;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.values.IntOrString;
import io.bosun.client.informer.Indexer;
import io.bosun.client.informer.Keys;
import io.bosun.controller.Pods;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;

/**
 * How Services select pods and pods serve Services, shared by the Endpoints and EndpointSlice
 * controllers (upstream's {@code endpointsliceutil} and {@code podutil.FindPort}). Pure functions.
 */
final class ServicePods {

  private ServicePods() {
  }

  /** Services of this controller's concern: with a selector and not ExternalName. */
  static boolean managed(Service svc) {
    return svc.getSpec() != null && svc.getSpec().getSelector() != null
        && !"ExternalName".equals(svc.getSpec().getType());
  }

  /** The pods of the service's namespace its selector matches. */
  static List<Pod> selectedPods(Indexer<Pod> pods, Service svc) {
    return pods.list(svc.getMetadata().getNamespace(), LabelSelector.fromMap(svc.getSpec().getSelector()));
  }

  /** Keys of the services (of the pod's namespace) whose selector matches the pod's labels. */
  static Set<String> servicesOf(Indexer<Service> services, Pod pod) {
    Set<String> out = new LinkedHashSet<>();
    Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    for (Service svc : services.list(pod.getMetadata().getNamespace())) {
      if (svc.getSpec() == null || svc.getSpec().getSelector() == null) {
        continue;
      }
      // An empty selector selects nothing here, as upstream's AsSelectorPreValidated of an empty set.
      if (!svc.getSpec().getSelector().isEmpty() && LabelSelector.fromMap(svc.getSpec().getSelector()).matches(labels)) {
        out.add(Keys.of(svc));
      }
    }
    return out;
  }

  /**
   * Whether a pod is an endpoint at all: not finished, with an IP, and (unless
   * {@code includeTerminating}) not being deleted (upstream's ShouldPodBeInEndpoints).
   */
  static boolean shouldBeInEndpoints(Pod pod, boolean includeTerminating) {
    String phase = Pods.phase(pod);
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      return false;
    }
    if (ips(pod).isEmpty()) {
      return false;
    }
    return includeTerminating || pod.getMetadata().getDeletionTimestamp() == null;
  }

  /** The pod's hostname, if it is in the service's subdomain (upstream's ShouldSetHostname). */
  static String hostname(Pod pod, Service svc) {
    String hostname = pod.getSpec() == null ? null : pod.getSpec().getHostname();
    if (hostname != null && !hostname.isEmpty() && svc.getMetadata().getName().equals(pod.getSpec().getSubdomain())
        && Objects.equals(svc.getMetadata().getNamespace(), pod.getMetadata().getNamespace())) {
      return hostname;
    }
    return null;
  }

  /**
   * The container port a service port reaches on this pod: a numeric targetPort as is, a named one
   * looked up among the containers' (and sidecar init containers') ports with the same protocol.
   */
  static OptionalInt findPort(Pod pod, ServicePort sp) {
    IntOrString target = sp.getTargetPort();
    if (target == null) {
      return sp.getPort() == null ? OptionalInt.empty() : OptionalInt.of(sp.getPort());
    }
    if (target.isInt()) {
      return OptionalInt.of(target.intValue());
    }
    String name = target.stringValue();
    String protocol = sp.getProtocol() == null ? "TCP" : sp.getProtocol();
    List<Container> candidates = new ArrayList<>();
    if (pod.getSpec().getContainers() != null) {
      candidates.addAll(pod.getSpec().getContainers());
    }
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy())).forEach(candidates::add);
    }
    for (Container c : candidates) {
      if (c.getPorts() == null) {
        continue;
      }
      for (ContainerPort p : c.getPorts()) {
        String pp = p.getProtocol() == null ? "TCP" : p.getProtocol();
        if (name.equals(p.getName()) && protocol.equals(pp)) {
          return OptionalInt.of(p.getContainerPort());
        }
      }
    }
    return OptionalInt.empty();
  }

  /** The pod's IPs: status.podIPs, else status.podIP. */
  static List<String> ips(Pod pod) {
    List<String> out = new ArrayList<>();
    if (pod.getStatus() == null) {
      return out;
    }
    if (pod.getStatus().getPodIPs() != null) {
      for (PodIP ip : pod.getStatus().getPodIPs()) {
        if (ip.getIp() != null && !ip.getIp().isEmpty()) {
          out.add(ip.getIp());
        }
      }
    }
    if (out.isEmpty() && pod.getStatus().getPodIP() != null && !pod.getStatus().getPodIP().isEmpty()) {
      out.add(pod.getStatus().getPodIP());
    }
    return out;
  }

  static boolean isIPv6(String ip) {
    return ip.contains(":");
  }

  /** The service's IP families in order: spec.ipFamilies, else the cluster IP's, else IPv4. */
  static List<String> ipFamilies(Service svc) {
    List<String> families = svc.getSpec().getIpFamilies();
    if (families != null && !families.isEmpty()) {
      return families;
    }
    String ip = svc.getSpec().getClusterIP();
    if (ip != null && !ip.isEmpty() && !ip.equals("None")) {
      return List.of(isIPv6(ip) ? "IPv6" : "IPv4");
    }
    return List.of("IPv4");
  }

  /** The pod's IP of a family ("IPv4" or "IPv6"), or null. */
  static String ipOfFamily(Pod pod, String family) {
    for (String ip : ips(pod)) {
      if (isIPv6(ip) == "IPv6".equals(family)) {
        return ip;
      }
    }
    return null;
  }

  /** Whether the service has a cluster IP (not headless). */
  static boolean hasClusterIp(Service svc) {
    String ip = svc.getSpec().getClusterIP();
    return ip != null && !ip.isEmpty() && !ip.equals("None");
  }
}

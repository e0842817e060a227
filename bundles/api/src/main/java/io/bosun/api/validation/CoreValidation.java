package io.bosun.api.validation;

import static io.bosun.api.validation.Common.PORT_PROTOCOLS;
import static io.bosun.api.validation.Common.dns1123Label;
import static io.bosun.api.validation.Common.immutable;
import static io.bosun.api.validation.Common.intval;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.isTrue;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.qualifiedName;
import static io.bosun.api.validation.Common.requiredOneOf;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;
import static io.bosun.api.validation.Paths.key;

import io.bosun.api.core.v1.Binding;
import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.EndpointAddress;
import io.bosun.api.core.v1.EndpointPort;
import io.bosun.api.core.v1.EndpointSubset;
import io.bosun.api.core.v1.Endpoints;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.LoadBalancerIngress;
import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeAddress;
import io.bosun.api.core.v1.NodeSpec;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.Service;
import io.bosun.api.core.v1.ServicePort;
import io.bosun.api.core.v1.ServiceSpec;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.meta.v1.Condition;
import io.bosun.api.meta.v1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Validation of the core kinds other than pods and storage. */
final class CoreValidation {

  static final int MAX_SECRET_SIZE = 1024 * 1024;
  private static final List<String> SERVICE_TYPES = List.of("ClusterIP", "ExternalName", "LoadBalancer", "NodePort");
  private static final List<String> TRAFFIC_POLICIES = List.of("Cluster", "Local");
  private static final List<String> IP_FAMILY_POLICIES = List.of("PreferDualStack", "RequireDualStack", "SingleStack");

  private CoreValidation() {
  }

  // ------------------------------------------------------------------ services

  /** ClusterIPs as upstream's strategy syncs them before validation: the singular field first. */
  static List<String> clusterIps(ServiceSpec spec) {
    List<String> ips = list(spec.getClusterIPs());
    if (ips.isEmpty() && !isEmpty(spec.getClusterIP())) {
      return List.of(spec.getClusterIP());
    }
    return ips;
  }

  private static boolean isHeadless(ServiceSpec spec) {
    List<String> ips = clusterIps(spec);
    return ips.size() == 1 && "None".equals(ips.get(0));
  }

  static void service(List<FieldError> errs, Service service) {
    MetaValidation.objectMeta(errs, service.getMetadata(), true, NameRules.DNS1035_LABEL_RULE, "metadata");
    ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
    String type = str(spec.getType());
    List<ServicePort> ports = list(spec.getPorts());
    List<String> ips = clusterIps(spec);
    boolean headless = isHeadless(spec);
    if (ports.isEmpty() && !headless && !type.equals("ExternalName")) {
      errs.add(FieldError.required("spec.ports", ""));
    }
    switch (type) {
      case "LoadBalancer" -> {
        if (headless) {
          errs.add(FieldError.invalid("spec.clusterIPs[0]", ips.get(0), "may not be set to 'None' for LoadBalancer services"));
        }
        for (int i = 0; i < ports.size(); i++) {
          if (intval(ports.get(i).getPort()) == 10250) {
            errs.add(FieldError.invalid(index("spec.ports", i), 10250,
                "may not expose port 10250 externally since it is used by kubelet"));
          }
        }
      }
      case "NodePort" -> {
        if (headless) {
          errs.add(FieldError.invalid("spec.clusterIPs[0]", ips.get(0), "may not be set to 'None' for NodePort services"));
        }
      }
      case "ExternalName" -> {
        if (!ips.isEmpty()) {
          errs.add(FieldError.forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
        }
        if (!list(spec.getIpFamilies()).isEmpty()) {
          errs.add(FieldError.forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
        }
        if (spec.getIpFamilyPolicy() != null) {
          errs.add(FieldError.forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
        }
        String cname = str(spec.getExternalName());
        if (cname.endsWith(".")) {
          cname = cname.substring(0, cname.length() - 1);
        }
        if (!cname.isEmpty()) {
          Common.dns1123Subdomain(errs, cname, "spec.externalName");
        } else {
          errs.add(FieldError.required("spec.externalName", ""));
        }
      }
      default -> { }
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      servicePort(errs, ports.get(i), ports.size() > 1, names, index("spec.ports", i));
    }
    if (spec.getSelector() != null) {
      Common.labels(errs, spec.getSelector(), "spec.selector");
    }
    String affinity = str(spec.getSessionAffinity());
    if (affinity.isEmpty()) {
      errs.add(FieldError.required("spec.sessionAffinity", ""));
    } else if (!List.of("ClientIP", "None").contains(affinity)) {
      errs.add(FieldError.notSupported("spec.sessionAffinity", affinity, List.of("ClientIP", "None")));
    }
    if (affinity.equals("ClientIP")) {
      var config = spec.getSessionAffinityConfig();
      String msg = "when session affinity type is ClientIP";
      if (config == null) {
        errs.add(FieldError.required("spec.sessionAffinityConfig", msg));
      } else if (config.getClientIP() == null) {
        errs.add(FieldError.required("spec.sessionAffinityConfig.clientIP", msg));
      } else if (config.getClientIP().getTimeoutSeconds() == null) {
        errs.add(FieldError.required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", msg));
      } else {
        int t = config.getClientIP().getTimeoutSeconds();
        if (t <= 0 || t > 86400) {
          errs.add(FieldError.invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
              "must be greater than 0 and less than 86400"));
        }
      }
    } else if (affinity.equals("None") && spec.getSessionAffinityConfig() != null) {
      errs.add(FieldError.forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
    }
    clusterIpFields(errs, spec, type);
    List<String> externalIps = list(spec.getExternalIPs());
    for (int i = 0; i < externalIps.size(); i++) {
      List<FieldError> ipErrs = new ArrayList<>();
      Common.ip(ipErrs, externalIps.get(i), index("spec.externalIPs", i));
      if (ipErrs.isEmpty()) {
        Common.nonSpecialIp(errs, externalIps.get(i), index("spec.externalIPs", i));
      } else {
        errs.addAll(ipErrs);
      }
    }
    if (type.isEmpty()) {
      errs.add(FieldError.required("spec.type", ""));
    } else if (!SERVICE_TYPES.contains(type)) {
      errs.add(FieldError.notSupported("spec.type", type, SERVICE_TYPES));
    }
    if (type.equals("ClusterIP")) {
      for (int i = 0; i < ports.size(); i++) {
        if (intval(ports.get(i).getNodePort()) != 0) {
          errs.add(FieldError.forbidden(child(index("spec.ports", i), "nodePort"), "may not be used when `type` is 'ClusterIP'"));
        }
      }
    }
    Set<String> nodePorts = new HashSet<>();
    Set<String> servicePorts = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort p = ports.get(i);
      if (intval(p.getNodePort()) != 0 && !nodePorts.add(str(p.getProtocol()) + "/" + p.getNodePort())) {
        errs.add(FieldError.duplicate(child(index("spec.ports", i), "nodePort"), p.getNodePort()));
      }
      if (!servicePorts.add(str(p.getProtocol()) + "/" + intval(p.getPort()))) {
        errs.add(FieldError.duplicate(index("spec.ports", i),
            GoValue.raw("core.ServicePort{Name:\"\", Protocol:\"" + str(p.getProtocol()) + "\", AppProtocol:(*string)(nil), "
                + "Port:" + intval(p.getPort()) + ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
                + "NodePort:0}")));
      }
    }
    List<String> ranges = list(spec.getLoadBalancerSourceRanges());
    if (!ranges.isEmpty()) {
      // Upstream capitalizes this path.
      String path = "spec.LoadBalancerSourceRanges";
      if (!type.equals("LoadBalancer")) {
        errs.add(FieldError.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
      }
      for (int i = 0; i < ranges.size(); i++) {
        Common.cidr(errs, str(ranges.get(i)).strip(), index(path, i));
      }
    }
    if (spec.getAllocateLoadBalancerNodePorts() != null && !type.equals("LoadBalancer")) {
      errs.add(FieldError.forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
    }
    if (type.equals("LoadBalancer") && spec.getAllocateLoadBalancerNodePorts() == null) {
      errs.add(FieldError.required("allocateLoadBalancerNodePorts", ""));
    }
    if (spec.getLoadBalancerClass() != null) {
      if (!type.equals("LoadBalancer")) {
        errs.add(FieldError.forbidden("spec.loadBalancerClass", "may only be used when service type is 'LoadBalancer'"));
      }
      qualifiedName(errs, spec.getLoadBalancerClass(), "spec.loadBalancerClass");
    }
    boolean externallyAccessible = type.equals("LoadBalancer") || type.equals("NodePort")
        || (type.equals("ClusterIP") && !list(spec.getExternalIPs()).isEmpty());
    String etp = str(spec.getExternalTrafficPolicy());
    if (!externallyAccessible) {
      if (!etp.isEmpty()) {
        errs.add(FieldError.invalid("spec.externalTrafficPolicy", etp, "may only be set for externally-accessible services"));
      }
    } else if (etp.isEmpty()) {
      errs.add(FieldError.required("spec.externalTrafficPolicy", ""));
    } else if (!TRAFFIC_POLICIES.contains(etp)) {
      errs.add(FieldError.notSupported("spec.externalTrafficPolicy", etp, TRAFFIC_POLICIES));
    }
    boolean needsHealthCheck = type.equals("LoadBalancer") && etp.equals("Local");
    if (!needsHealthCheck && intval(spec.getHealthCheckNodePort()) != 0) {
      errs.add(FieldError.invalid("spec.healthCheckNodePort", spec.getHealthCheckNodePort(),
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
    if (spec.getInternalTrafficPolicy() == null) {
      if (List.of("NodePort", "LoadBalancer", "ClusterIP").contains(type)) {
        errs.add(FieldError.required("spec.internalTrafficPolicy", ""));
      }
    } else if (!TRAFFIC_POLICIES.contains(spec.getInternalTrafficPolicy())) {
      errs.add(FieldError.notSupported("spec.internalTrafficPolicy", spec.getInternalTrafficPolicy(), TRAFFIC_POLICIES));
    }
    if (spec.getTrafficDistribution() != null && !spec.getTrafficDistribution().equals("PreferClose")) {
      errs.add(FieldError.notSupported("spec.trafficDistribution", spec.getTrafficDistribution(), List.of("PreferClose")));
    }
  }

  private static void servicePort(List<FieldError> errs, ServicePort sp, boolean requireName, Set<String> names,
      String path) {
    if (requireName && isEmpty(sp.getName())) {
      errs.add(FieldError.required(child(path, "name"), ""));
    } else if (!isEmpty(sp.getName())) {
      dns1123Label(errs, sp.getName(), child(path, "name"));
      if (!names.add(sp.getName())) {
        errs.add(FieldError.duplicate(child(path, "name"), sp.getName()));
      }
    }
    for (String m : NameRules.isValidPortNum(intval(sp.getPort()))) {
      errs.add(FieldError.invalid(child(path, "port"), intval(sp.getPort()), m));
    }
    requiredOneOf(errs, sp.getProtocol(), child(path, "protocol"), PORT_PROTOCOLS);
    Common.portNumOrName(errs, sp.getTargetPort(), child(path, "targetPort"));
    if (sp.getAppProtocol() != null) {
      qualifiedName(errs, sp.getAppProtocol(), child(path, "appProtocol"));
    }
  }

  private static void clusterIpFields(List<FieldError> errs, ServiceSpec spec, String type) {
    if (type.equals("ExternalName")) {
      return;
    }
    List<String> ips = clusterIps(spec);
    if (!isEmpty(spec.getClusterIP())) {
      if (!ips.get(0).equals(spec.getClusterIP())) {
        errs.add(FieldError.invalid("spec.clusterIPs", GoValue.strings(ips), "first value must match `clusterIP`"));
      }
    } else if (!ips.isEmpty()) {
      errs.add(FieldError.invalid("spec.clusterIPs", GoValue.strings(ips), "must be empty when `clusterIP` is not specified"));
    }
    List<String> families = list(spec.getIpFamilies());
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < families.size(); i++) {
      String f = str(families.get(i));
      if (!List.of("IPv4", "IPv6").contains(f)) {
        errs.add(FieldError.notSupported(index("spec.ipFamilies", i), f, List.of("IPv4", "IPv6")));
      }
      if (!seen.add(f)) {
        errs.add(FieldError.duplicate(index("spec.ipFamilies", i), f));
      }
    }
    if (spec.getIpFamilyPolicy() != null && !IP_FAMILY_POLICIES.contains(spec.getIpFamilyPolicy())) {
      errs.add(FieldError.notSupported("spec.ipFamilyPolicy", spec.getIpFamilyPolicy(), IP_FAMILY_POLICIES));
    }
    boolean invalidIps = false;
    for (int i = 0; i < ips.size(); i++) {
      if (i == 0 && "None".equals(ips.get(0))) {
        if (ips.size() > 1) {
          invalidIps = true;
          errs.add(FieldError.invalid("spec.clusterIPs", GoValue.strings(ips), "'None' must be the first and only value"));
        }
        continue;
      }
      List<FieldError> e = new ArrayList<>();
      Common.ip(e, ips.get(i), index("spec.clusterIPs", i));
      invalidIps |= !e.isEmpty();
      errs.addAll(e);
    }
    if (ips.size() > 2) {
      errs.add(FieldError.invalid("spec.clusterIPs", GoValue.strings(ips), "may only hold up to 2 values"));
    }
    if (invalidIps) {
      return;
    }
    if (ips.size() > 1 && !Common.isDualStack(ips)) {
      errs.add(FieldError.invalid("spec.clusterIPs", GoValue.strings(ips),
          "may specify no more than one IP for each IP family"));
    }
    if (!isHeadless(spec) && !ips.isEmpty() && !families.isEmpty()) {
      for (int i = 0; i < ips.size() && i < families.size(); i++) {
        if (families.get(i).equals("IPv4") && Ips.isIpv6(ips.get(i))) {
          errs.add(FieldError.invalid(index("spec.clusterIPs", i), ips.get(i),
              "expected an IPv4 value as indicated by `ipFamilies[" + i + "]`"));
        }
        if (families.get(i).equals("IPv6") && !Ips.isIpv6(ips.get(i))) {
          errs.add(FieldError.invalid(index("spec.clusterIPs", i), ips.get(i),
              "expected an IPv6 value as indicated by `ipFamilies[" + i + "]`"));
        }
      }
    }
  }

  static void serviceUpdate(List<FieldError> errs, Service service, Service old) {
    MetaValidation.objectMetaUpdate(errs, service.getMetadata(), old.getMetadata(), "metadata");
    ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
    ServiceSpec oldSpec = old.getSpec() == null ? new ServiceSpec() : old.getSpec();
    boolean externalName = "ExternalName".equals(spec.getType()) || "ExternalName".equals(oldSpec.getType());
    if (!externalName) {
      List<String> ips = clusterIps(spec);
      List<String> oldIps = clusterIps(oldSpec);
      if (!oldIps.isEmpty() && !ips.isEmpty() && !oldIps.get(0).equals(ips.get(0))) {
        errs.add(FieldError.invalid("spec.clusterIPs[0]", GoValue.strings(ips), "may not change once set"));
      }
      if (oldIps.size() == 2 && ips.size() == 1 && !"SingleStack".equals(spec.getIpFamilyPolicy())) {
        errs.add(FieldError.invalid("spec.ipFamilyPolicy", str(spec.getIpFamilyPolicy()),
            "must be 'SingleStack' to release the secondary cluster IP"));
      }
      List<String> families = list(spec.getIpFamilies());
      List<String> oldFamilies = list(oldSpec.getIpFamilies());
      if (!families.isEmpty() && !oldFamilies.isEmpty() && !families.get(0).equals(oldFamilies.get(0))) {
        errs.add(FieldError.invalid("spec.ipFamilies[0]", families.get(0), "may not change once set"));
      }
      if (oldFamilies.size() == 2 && families.size() == 1 && !"SingleStack".equals(spec.getIpFamilyPolicy())) {
        errs.add(FieldError.invalid("spec.ipFamilyPolicy", str(spec.getIpFamilyPolicy()),
            "must be 'SingleStack' to release the secondary ip family"));
      }
    }
    if ("LoadBalancer".equals(oldSpec.getType()) && "LoadBalancer".equals(spec.getType())
        && !Objects.equals(spec.getLoadBalancerClass(), oldSpec.getLoadBalancerClass())) {
      errs.add(FieldError.invalid("spec.loadBalancerClass", str(spec.getLoadBalancerClass()), "may not change once set"));
    }
    service(errs, service);
  }

  static void serviceStatusUpdate(List<FieldError> errs, Service service, Service old) {
    MetaValidation.objectMetaUpdate(errs, service.getMetadata(), old.getMetadata(), "metadata");
    ServiceSpec spec = service.getSpec() == null ? new ServiceSpec() : service.getSpec();
    var status = service.getStatus();
    if (status == null) {
      return;
    }
    List<LoadBalancerIngress> ingress = status.getLoadBalancer() == null ? List.of()
        : list(status.getLoadBalancer().getIngress());
    if (!"LoadBalancer".equals(spec.getType()) && !ingress.isEmpty()) {
      errs.add(FieldError.forbidden("status.loadBalancer.ingress", "may only be used when `spec.type` is 'LoadBalancer'"));
    } else {
      for (int i = 0; i < ingress.size(); i++) {
        LoadBalancerIngress in = ingress.get(i);
        String p = index("status.loadBalancer.ingress", i);
        if (!isEmpty(in.getIp())) {
          Common.ip(errs, in.getIp(), child(p, "ip"));
        }
        if (in.getIpMode() == null) {
          if (!isEmpty(in.getIp())) {
            errs.add(FieldError.required(child(p, "ipMode"), "must be specified when `ip` is set"));
          }
        } else if (isEmpty(in.getIp())) {
          errs.add(FieldError.forbidden(child(p, "ipMode"), "may not be specified when `ip` is not set"));
        } else if (!List.of("Proxy", "VIP").contains(in.getIpMode())) {
          errs.add(FieldError.notSupported(child(p, "ipMode"), in.getIpMode(), List.of("Proxy", "VIP")));
        }
        if (!isEmpty(in.getHostname())) {
          Common.dns1123Subdomain(errs, in.getHostname(), child(p, "hostname"));
          if (Ips.parse(in.getHostname()) != null) {
            errs.add(FieldError.invalid(child(p, "hostname"), in.getHostname(), "must be a DNS name, not an IP address"));
          }
        }
      }
    }
    conditions(errs, list(status.getConditions()), "status.conditions");
  }

  /** meta/v1 {@code ValidateConditions}. */
  static void conditions(List<FieldError> errs, List<Condition> conditions, String path) {
    Set<String> types = new HashSet<>();
    for (int i = 0; i < conditions.size(); i++) {
      Condition c = conditions.get(i);
      String p = index(path, i);
      String type = str(c.getType());
      if (type.isEmpty()) {
        errs.add(FieldError.required(child(p, "type"), "must be set"));
      } else {
        qualifiedName(errs, type, child(p, "type"));
        if (!types.add(type)) {
          errs.add(FieldError.duplicate(child(p, "type"), type));
        }
      }
      if (!List.of("True", "False", "Unknown").contains(str(c.getStatus()))) {
        errs.add(FieldError.notSupported(child(p, "status"), str(c.getStatus()), List.of("True", "False", "Unknown")));
      }
      if (c.getObservedGeneration() != null && c.getObservedGeneration() < 0) {
        errs.add(FieldError.invalid(child(p, "observedGeneration"), c.getObservedGeneration(), Common.IS_NEGATIVE));
      }
      if (c.getLastTransitionTime() == null) {
        errs.add(FieldError.required(child(p, "lastTransitionTime"), "must be set"));
      }
      String reason = str(c.getReason());
      if (reason.isEmpty()) {
        errs.add(FieldError.required(child(p, "reason"), "must be set"));
      } else {
        if (reason.length() > 1024) {
          errs.add(FieldError.tooLong(child(p, "reason"), reason, 1024));
        }
        if (!reason.matches("[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?")) {
          errs.add(FieldError.invalid(child(p, "reason"), reason, NameRules.regexError(
              "a condition reason must start with alphabetic character, optionally followed by a string of "
                  + "alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'",
              "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?", "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB",
              "ReasonA:ReasonB")));
        }
      }
      if (str(c.getMessage()).length() > 32768) {
        errs.add(FieldError.tooLong(child(p, "message"), "", 32768));
      }
    }
  }

  // ------------------------------------------------------------------ endpoints

  static void endpoints(List<FieldError> errs, Endpoints endpoints) {
    MetaValidation.objectMeta(errs, endpoints.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    List<EndpointSubset> subsets = list(endpoints.getSubsets());
    for (int i = 0; i < subsets.size(); i++) {
      EndpointSubset ss = subsets.get(i);
      String p = index("subsets", i);
      if (list(ss.getAddresses()).isEmpty() && list(ss.getNotReadyAddresses()).isEmpty()) {
        errs.add(FieldError.required(p, "must specify `addresses` or `notReadyAddresses`"));
      }
      List<EndpointAddress> addresses = list(ss.getAddresses());
      for (int j = 0; j < addresses.size(); j++) {
        endpointAddress(errs, addresses.get(j), index(child(p, "addresses"), j));
      }
      List<EndpointAddress> notReady = list(ss.getNotReadyAddresses());
      for (int j = 0; j < notReady.size(); j++) {
        endpointAddress(errs, notReady.get(j), index(child(p, "notReadyAddresses"), j));
      }
      List<EndpointPort> ports = list(ss.getPorts());
      for (int j = 0; j < ports.size(); j++) {
        EndpointPort port = ports.get(j);
        String pp = index(child(p, "ports"), j);
        if (ports.size() > 1 && isEmpty(port.getName())) {
          errs.add(FieldError.required(child(pp, "name"), ""));
        } else if (!isEmpty(port.getName())) {
          dns1123Label(errs, port.getName(), child(pp, "name"));
        }
        for (String m : NameRules.isValidPortNum(intval(port.getPort()))) {
          errs.add(FieldError.invalid(child(pp, "port"), intval(port.getPort()), m));
        }
        requiredOneOf(errs, port.getProtocol(), child(pp, "protocol"), PORT_PROTOCOLS);
        if (port.getAppProtocol() != null) {
          qualifiedName(errs, port.getAppProtocol(), child(pp, "appProtocol"));
        }
      }
    }
  }

  private static void endpointAddress(List<FieldError> errs, EndpointAddress address, String path) {
    Common.ip(errs, address.getIp(), child(path, "ip"));
    if (!isEmpty(address.getHostname())) {
      dns1123Label(errs, address.getHostname(), child(path, "hostname"));
    }
    if (address.getNodeName() != null) {
      Common.name(errs, NameRules.DNS_SUBDOMAIN, address.getNodeName(), child(path, "nodeName"));
    }
    Common.nonSpecialIp(errs, address.getIp(), child(path, "ip"));
  }

  // ------------------------------------------------------------------ config maps and secrets

  static void configMap(List<FieldError> errs, ConfigMap cm) {
    MetaValidation.objectMeta(errs, cm.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    long total = 0;
    Map<String, String> binary = cm.getBinaryData() == null ? Map.of() : cm.getBinaryData();
    for (var e : Common.sorted(cm.getData()).entrySet()) {
      for (String m : NameRules.isConfigMapKey(e.getKey())) {
        errs.add(FieldError.invalid(key("data", e.getKey()), e.getKey(), m));
      }
      if (binary.containsKey(e.getKey())) {
        errs.add(FieldError.invalid(key("data", e.getKey()), e.getKey(), "duplicate of key present in binaryData"));
      }
      total += str(e.getValue()).getBytes(StandardCharsets.UTF_8).length;
    }
    for (var e : Common.sorted(binary).entrySet()) {
      for (String m : NameRules.isConfigMapKey(e.getKey())) {
        errs.add(FieldError.invalid(key("binaryData", e.getKey()), e.getKey(), m));
      }
      total += decodedLength(e.getValue());
    }
    if (total > MAX_SECRET_SIZE) {
      errs.add(FieldError.tooLong("", "", MAX_SECRET_SIZE));
    }
  }

  static void configMapUpdate(List<FieldError> errs, ConfigMap cm, ConfigMap old) {
    MetaValidation.objectMetaUpdate(errs, cm.getMetadata(), old.getMetadata(), "metadata");
    if (isTrue(old.getImmutable())) {
      String msg = "field is immutable when `immutable` is set";
      if (!isTrue(cm.getImmutable())) {
        errs.add(FieldError.forbidden("immutable", msg));
      }
      if (!Objects.equals(Common.normalize(cm.getData()), Common.normalize(old.getData()))) {
        errs.add(FieldError.forbidden("data", msg));
      }
      if (!Objects.equals(Common.normalize(cm.getBinaryData()), Common.normalize(old.getBinaryData()))) {
        errs.add(FieldError.forbidden("binaryData", msg));
      }
    }
    configMap(errs, cm);
  }

  private static long decodedLength(String base64) {
    try {
      return Base64.getDecoder().decode(str(base64)).length;
    } catch (IllegalArgumentException e) {
      return str(base64).length();
    }
  }

  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(str(base64));
    } catch (IllegalArgumentException e) {
      return str(base64).getBytes(StandardCharsets.UTF_8);
    }
  }

  static void secret(List<FieldError> errs, Secret secret) {
    MetaValidation.objectMeta(errs, secret.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    Map<String, byte[]> data = new HashMap<>();
    for (var e : Common.sorted(secret.getData()).entrySet()) {
      data.put(e.getKey(), decode(e.getValue()));
    }
    // stringData is merged into data by upstream's conversion before validation.
    for (var e : Common.sorted(secret.getStringData()).entrySet()) {
      data.put(e.getKey(), str(e.getValue()).getBytes(StandardCharsets.UTF_8));
    }
    long total = 0;
    for (var e : new java.util.TreeMap<>(data).entrySet()) {
      for (String m : NameRules.isConfigMapKey(e.getKey())) {
        errs.add(FieldError.invalid(key("data", e.getKey()), e.getKey(), m));
      }
      total += e.getValue().length;
    }
    if (total > MAX_SECRET_SIZE) {
      errs.add(FieldError.tooLong("data", "", MAX_SECRET_SIZE));
    }
    ObjectMeta meta = secret.getMetadata() == null ? new ObjectMeta() : secret.getMetadata();
    switch (str(secret.getType())) {
      case "kubernetes.io/service-account-token" -> {
        if (meta.getAnnotations() == null || isEmpty(meta.getAnnotations().get("kubernetes.io/service-account.name"))) {
          errs.add(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]", ""));
        }
      }
      case "kubernetes.io/dockercfg" -> jsonKey(errs, data, ".dockercfg");
      case "kubernetes.io/dockerconfigjson" -> jsonKey(errs, data, ".dockerconfigjson");
      case "kubernetes.io/basic-auth" -> {
        if (!data.containsKey("username") && !data.containsKey("password")) {
          errs.add(FieldError.required("data[username]", ""));
          errs.add(FieldError.required("data[password]", ""));
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        if (data.get("ssh-privatekey") == null || data.get("ssh-privatekey").length == 0) {
          errs.add(FieldError.required("data[ssh-privatekey]", ""));
        }
      }
      case "kubernetes.io/tls" -> {
        if (!data.containsKey("tls.crt")) {
          errs.add(FieldError.required("data[tls.crt]", ""));
        }
        if (!data.containsKey("tls.key")) {
          errs.add(FieldError.required("data[tls.key]", ""));
        }
      }
      default -> { }
    }
  }

  private static void jsonKey(List<FieldError> errs, Map<String, byte[]> data, String key) {
    byte[] value = data.get(key);
    String path = Paths.key("data", key);
    if (value == null) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    String problem;
    try {
      var node = SpecDiff.MAPPER.readTree(value);
      problem = node != null && node.isObject() ? null : "json: cannot unmarshal "
          + (node == null || node.isMissingNode() ? "null" : goJsonType(node)) + " into Go value of type map[string]interface {}";
    } catch (java.io.IOException e) {
      problem = e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe ? jpe.getOriginalMessage()
          : e.getMessage();
    }
    if (problem != null) {
      errs.add(FieldError.invalid(path, "<secret contents redacted>", problem));
    }
  }

  private static String goJsonType(com.fasterxml.jackson.databind.JsonNode node) {
    return node.isArray() ? "array" : node.isTextual() ? "string" : node.isNumber() ? "number"
        : node.isBoolean() ? "bool" : "null";
  }

  static void secretUpdate(List<FieldError> errs, Secret secret, Secret old) {
    MetaValidation.objectMetaUpdate(errs, secret.getMetadata(), old.getMetadata(), "metadata");
    immutable(errs, str(secret.getType()), str(old.getType()), "type");
    if (isTrue(old.getImmutable())) {
      String msg = "field is immutable when `immutable` is set";
      if (!isTrue(secret.getImmutable())) {
        errs.add(FieldError.forbidden("immutable", msg));
      }
      Map<String, String> merged = new HashMap<>(secret.getData() == null ? Map.of() : secret.getData());
      for (var e : Common.sorted(secret.getStringData()).entrySet()) {
        merged.put(e.getKey(), Base64.getEncoder().encodeToString(str(e.getValue()).getBytes(StandardCharsets.UTF_8)));
      }
      if (!Objects.equals(Common.normalize(merged), Common.normalize(old.getData()))) {
        errs.add(FieldError.forbidden("data", msg));
      }
    }
    secret(errs, secret);
  }

  // ------------------------------------------------------------------ namespaces

  static void namespace(List<FieldError> errs, Namespace ns) {
    MetaValidation.objectMeta(errs, ns.getMetadata(), false, NameRules.DNS_LABEL, "metadata");
    List<String> finalizers = ns.getSpec() == null ? List.of() : list(ns.getSpec().getFinalizers());
    for (String f : finalizers) {
      finalizerName(errs, f, "spec.finalizers");
    }
  }

  static void finalizerName(List<FieldError> errs, String name, String path) {
    qualifiedName(errs, str(name), path);
    MetaValidation.kubeFinalizerName(errs, str(name), path);
  }

  static void namespaceStatusUpdate(List<FieldError> errs, Namespace ns, Namespace old) {
    MetaValidation.objectMetaUpdate(errs, ns.getMetadata(), old.getMetadata(), "metadata");
    String phase = ns.getStatus() == null ? "" : str(ns.getStatus().getPhase());
    boolean deleting = ns.getMetadata() != null && ns.getMetadata().getDeletionTimestamp() != null;
    if (!deleting && !phase.equals("Active")) {
      errs.add(FieldError.invalid("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
    } else if (deleting && !phase.equals("Terminating")) {
      errs.add(FieldError.invalid("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
  }

  static void namespaceFinalizeUpdate(List<FieldError> errs, Namespace ns, Namespace old) {
    MetaValidation.objectMetaUpdate(errs, ns.getMetadata(), old.getMetadata(), "metadata");
    List<String> finalizers = ns.getSpec() == null ? List.of() : list(ns.getSpec().getFinalizers());
    for (int i = 0; i < finalizers.size(); i++) {
      finalizerName(errs, finalizers.get(i), index("spec.finalizers", i));
    }
  }

  // ------------------------------------------------------------------ nodes

  private static List<String> podCidrs(NodeSpec spec) {
    List<String> cidrs = list(spec.getPodCIDRs());
    if (cidrs.isEmpty() && !isEmpty(spec.getPodCIDR())) {
      return List.of(spec.getPodCIDR());
    }
    return cidrs;
  }

  static void node(List<FieldError> errs, Node node) {
    MetaValidation.objectMeta(errs, node.getMetadata(), false, NameRules.DNS_SUBDOMAIN, "metadata");
    NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
    // Upstream reports taint errors under "metadata.taints".
    taints(errs, list(spec.getTaints()), "metadata.taints");
    nodeResources(errs, node);
    List<String> cidrs = podCidrs(spec);
    for (int i = 0; i < cidrs.size(); i++) {
      Common.cidr(errs, cidrs.get(i), index("spec.podCIDRs", i));
    }
    if (cidrs.size() > 1 && (!Common.isDualStack(cidrs) || cidrs.size() > 2)) {
      errs.add(FieldError.invalid("spec.podCIDRs", GoValue.strings(cidrs),
          "may specify no more than one CIDR for each IP family"));
    }
  }

  private static void taints(List<FieldError> errs, List<Taint> taints, String path) {
    Map<String, Set<String>> unique = new HashMap<>();
    for (int i = 0; i < taints.size(); i++) {
      Taint t = taints.get(i);
      String p = index(path, i);
      qualifiedName(errs, str(t.getKey()), child(p, "key"));
      List<String> msgs = NameRules.isValidLabelValue(str(t.getValue()));
      if (!msgs.isEmpty()) {
        errs.add(FieldError.invalid(child(p, "value"), str(t.getValue()), String.join(";", msgs)));
      }
      PodValidation.taintEffect(errs, t.getEffect(), false, child(p, "effect"));
      Set<String> keys = unique.computeIfAbsent(str(t.getEffect()), k -> new HashSet<>());
      if (!keys.add(str(t.getKey()))) {
        errs.add(new FieldError(FieldError.Type.DUPLICATE, p, GoValue.raw("core.Taint{Key:" + GoValue.quote(t.getKey())
            + ", Value:" + GoValue.quote(t.getValue()) + ", Effect:" + GoValue.quote(t.getEffect())
            + ", TimeAdded:<nil>}"), "taints must be unique by key and effect pair"));
      }
    }
  }

  private static void nodeResources(List<FieldError> errs, Node node) {
    NodeStatus status = node.getStatus();
    if (status == null) {
      return;
    }
    for (var e : Common.sorted(status.getCapacity()).entrySet()) {
      PodValidation.resourceQuantityValue(errs, e.getKey(), e.getValue(), child("status.capacity", e.getKey()));
    }
    for (var e : Common.sorted(status.getAllocatable()).entrySet()) {
      PodValidation.resourceQuantityValue(errs, e.getKey(), e.getValue(), child("status.allocatable", e.getKey()));
    }
  }

  /** upstream's {@code ValidateNodeUpdate}, used for updates and status updates alike. */
  static void nodeUpdate(List<FieldError> errs, Node node, Node old) {
    MetaValidation.objectMetaUpdate(errs, node.getMetadata(), old.getMetadata(), "metadata");
    nodeResources(errs, node);
    NodeStatus status = node.getStatus() == null ? new NodeStatus() : node.getStatus();
    Set<String> addresses = new HashSet<>();
    List<NodeAddress> addrs = list(status.getAddresses());
    for (int i = 0; i < addrs.size(); i++) {
      NodeAddress a = addrs.get(i);
      if (!addresses.add(str(a.getType()) + "/" + str(a.getAddress()))) {
        errs.add(FieldError.duplicate(index("status.addresses", i), GoValue.raw("core.NodeAddress{Type:"
            + GoValue.quote(a.getType()) + ", Address:" + GoValue.quote(a.getAddress()) + "}")));
      }
    }
    NodeSpec spec = node.getSpec() == null ? new NodeSpec() : node.getSpec();
    NodeSpec oldSpec = old.getSpec() == null ? new NodeSpec() : old.getSpec();
    List<String> oldCidrs = podCidrs(oldSpec);
    List<String> cidrs = podCidrs(spec);
    if (!oldCidrs.isEmpty()) {
      String msg = "node updates may not change podCIDR except from \"\" to valid";
      if (oldCidrs.size() != cidrs.size()) {
        errs.add(FieldError.forbidden("spec.podCIDRs", msg));
      } else {
        for (int i = 0; i < oldCidrs.size(); i++) {
          if (!oldCidrs.get(i).equals(cidrs.get(i))) {
            errs.add(FieldError.forbidden("spec.podCIDRs", msg));
          }
        }
      }
    }
    if (!isEmpty(oldSpec.getProviderID()) && !oldSpec.getProviderID().equals(spec.getProviderID())) {
      errs.add(FieldError.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
    }
    taints(errs, list(spec.getTaints()), "metadata.taints");
    if (!Objects.equals(str(spec.getExternalID()), str(oldSpec.getExternalID()))) {
      errs.add(FieldError.forbidden("spec.externalID", "may not be updated"));
    }
  }

  // ------------------------------------------------------------------ events, service accounts, bindings

  static void event(List<FieldError> errs, Event event) {
    MetaValidation.objectMeta(errs, event.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    String namespace = event.getMetadata() == null ? "" : str(event.getMetadata().getNamespace());
    String involvedNamespace = event.getInvolvedObject() == null ? "" : str(event.getInvolvedObject().getNamespace());
    String mismatch = "does not match event.namespace";
    if (event.getEventTime() == null) {
      if (involvedNamespace.isEmpty()) {
        if (!namespace.isEmpty() && !namespace.equals("default")) {
          errs.add(FieldError.invalid("involvedObject.namespace", involvedNamespace, mismatch));
        }
      } else if (!namespace.equals(involvedNamespace)) {
        errs.add(FieldError.invalid("involvedObject.namespace", involvedNamespace, mismatch));
      }
    } else {
      if (involvedNamespace.isEmpty() && !namespace.equals("default") && !namespace.equals("kube-system")) {
        errs.add(FieldError.invalid("involvedObject.namespace", involvedNamespace, mismatch));
      }
      String controller = str(event.getReportingComponent());
      if (controller.isEmpty()) {
        errs.add(FieldError.required("reportingComponent", ""));
      }
      qualifiedName(errs, controller, "reportingComponent");
      if (isEmpty(event.getReportingInstance())) {
        errs.add(FieldError.required("reportingInstance", ""));
      }
      if (str(event.getReportingInstance()).length() > 128) {
        errs.add(FieldError.invalid("reportingInstance", "", "can have at most 128 characters"));
      }
      if (isEmpty(event.getAction())) {
        errs.add(FieldError.required("action", ""));
      }
      if (str(event.getAction()).length() > 128) {
        errs.add(FieldError.invalid("action", "", "can have at most 128 characters"));
      }
      if (isEmpty(event.getReason())) {
        errs.add(FieldError.required("reason", ""));
      }
      if (str(event.getReason()).length() > 128) {
        errs.add(FieldError.invalid("reason", "", "can have at most 128 characters"));
      }
      if (str(event.getMessage()).length() > 1024) {
        errs.add(FieldError.invalid("message", "", "can have at most 1024 characters"));
      }
    }
    for (String m : NameRules.isDns1123Subdomain(namespace)) {
      errs.add(FieldError.invalid("namespace", namespace, m));
    }
  }

  static void binding(List<FieldError> errs, Binding binding) {
    var target = binding.getTarget() == null ? new io.bosun.api.core.v1.ObjectReference() : binding.getTarget();
    if (!isEmpty(target.getKind()) && !"Node".equals(target.getKind())) {
      errs.add(FieldError.notSupported("target.kind", target.getKind(), List.of("Node", "<empty>")));
    }
    if (isEmpty(target.getName())) {
      errs.add(FieldError.required("target.name", ""));
    }
  }
}

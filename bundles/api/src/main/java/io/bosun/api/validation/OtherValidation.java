package io.bosun.api.validation;

import static io.bosun.api.validation.Common.PORT_PROTOCOLS;
import static io.bosun.api.validation.Common.immutable;
import static io.bosun.api.validation.Common.intval;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.nonNegative;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.coordination.v1.LeaseSpec;
import io.bosun.api.core.v1.ResourceRequirements;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.discovery.v1.Endpoint;
import io.bosun.api.discovery.v1.EndpointSlice;
import io.bosun.api.discovery.v1.EndpointSlicePort;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.api.policy.v1.PodDisruptionBudgetSpec;
import io.bosun.api.policy.v1.PodDisruptionBudgetStatus;
import io.bosun.api.scheduling.v1.PriorityClass;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/** Leases, priority classes, disruption budgets, endpoint slices and runtime classes. */
final class OtherValidation {

  static final int HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
  private static final Map<String, Integer> SYSTEM_PRIORITY_CLASSES = Map.of("system-node-critical", 2_000_001_000,
      "system-cluster-critical", 2_000_000_000);

  private OtherValidation() {
  }

  // ------------------------------------------------------------------ Lease

  static void lease(List<FieldError> errs, Lease lease) {
    MetaValidation.objectMeta(errs, lease.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    LeaseSpec spec = lease.getSpec() == null ? new LeaseSpec() : lease.getSpec();
    if (spec.getLeaseDurationSeconds() != null && spec.getLeaseDurationSeconds() <= 0) {
      errs.add(FieldError.invalid("spec.leaseDurationSeconds", spec.getLeaseDurationSeconds(), "must be greater than 0"));
    }
    if (spec.getLeaseTransitions() != null && spec.getLeaseTransitions() < 0) {
      errs.add(FieldError.invalid("spec.leaseTransitions", spec.getLeaseTransitions(), Common.IS_NEGATIVE));
    }
    if (spec.getStrategy() != null) {
      String strategy = spec.getStrategy();
      if (!strategy.contains("/")) {
        if (!strategy.equals("OldestEmulationVersion")) {
          errs.add(FieldError.notSupported("spec.strategy", strategy, List.of("OldestEmulationVersion")));
        }
      } else {
        Common.qualifiedName(errs, strategy, "spec.strategy");
      }
    }
    if (!isEmpty(spec.getPreferredHolder()) && isEmpty(spec.getStrategy())) {
      errs.add(FieldError.forbidden("spec.preferredHolder", "may only be specified if `strategy` is defined"));
    }
  }

  // ------------------------------------------------------------------ PriorityClass

  static void priorityClass(List<FieldError> errs, PriorityClass pc) {
    ObjectMeta meta = pc.getMetadata() == null ? new ObjectMeta() : pc.getMetadata();
    MetaValidation.objectMeta(errs, meta, false, NameRules.DNS_SUBDOMAIN, "metadata");
    String name = str(meta.getName());
    int value = intval(pc.getValue());
    if (name.startsWith("system-")) {
      Integer known = SYSTEM_PRIORITY_CLASSES.get(name);
      String err = null;
      if (known == null) {
        err = name + " is not a known system priority class";
      } else if (known != value) {
        err = "value of " + name + " PriorityClass must be " + known;
      } else if (Common.isTrue(pc.getGlobalDefault())) {
        err = "globalDefault of " + name + " PriorityClass must be false";
      }
      if (err != null) {
        errs.add(FieldError.forbidden("metadata.name",
            "priority class names with 'system-' prefix are reserved for system use only. error: " + err));
      }
    } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      errs.add(FieldError.forbidden("value", "maximum allowed value of a user defined priority is "
          + HIGHEST_USER_DEFINABLE_PRIORITY));
    }
    if (pc.getPreemptionPolicy() != null) {
      PodValidation.preemptionPolicy(errs, pc.getPreemptionPolicy(), "preemptionPolicy");
    }
  }

  static void priorityClassUpdate(List<FieldError> errs, PriorityClass pc, PriorityClass old) {
    MetaValidation.objectMetaUpdate(errs, pc.getMetadata(), old.getMetadata(), "metadata");
    if (!Objects.equals(pc.getValue(), old.getValue())) {
      errs.add(FieldError.forbidden("value", "may not be changed in an update."));
    }
    immutable(errs, pc.getPreemptionPolicy(), old.getPreemptionPolicy(), "preemptionPolicy");
  }

  // ------------------------------------------------------------------ PodDisruptionBudget

  static void podDisruptionBudget(List<FieldError> errs, PodDisruptionBudget pdb) {
    PodDisruptionBudgetSpec spec = pdb.getSpec() == null ? new PodDisruptionBudgetSpec() : pdb.getSpec();
    if (spec.getMinAvailable() != null && spec.getMaxUnavailable() != null) {
      errs.add(FieldError.invalid("spec", GoValue.raw("policy.PodDisruptionBudgetSpec{...}"),
          "minAvailable and maxUnavailable cannot be both set"));
    }
    if (spec.getMinAvailable() != null) {
      Common.positiveIntOrPercent(errs, spec.getMinAvailable(), "spec.minAvailable");
      Common.notMoreThan100Percent(errs, spec.getMinAvailable(), "spec.minAvailable");
    }
    if (spec.getMaxUnavailable() != null) {
      Common.positiveIntOrPercent(errs, spec.getMaxUnavailable(), "spec.maxUnavailable");
      Common.notMoreThan100Percent(errs, spec.getMaxUnavailable(), "spec.maxUnavailable");
    }
    Common.labelSelector(errs, spec.getSelector(), "spec.selector");
    if (spec.getUnhealthyPodEvictionPolicy() != null
        && !List.of("AlwaysAllow", "IfHealthyBudget").contains(spec.getUnhealthyPodEvictionPolicy())) {
      errs.add(FieldError.notSupported("spec.unhealthyPodEvictionPolicy", spec.getUnhealthyPodEvictionPolicy(),
          List.of("AlwaysAllow", "IfHealthyBudget")));
    }
    // Upstream's strategy checks names with the generic rule after the spec.
    MetaValidation.objectMeta(errs, pdb.getMetadata(), true, NameRules.PATH_SEGMENT, "metadata");
  }

  static void podDisruptionBudgetStatusUpdate(List<FieldError> errs, PodDisruptionBudget pdb,
      PodDisruptionBudget old) {
    MetaValidation.objectMetaUpdate(errs, pdb.getMetadata(), old.getMetadata(), "metadata");
    PodDisruptionBudgetStatus s = pdb.getStatus() == null ? new PodDisruptionBudgetStatus() : pdb.getStatus();
    nonNegative(errs, intval(s.getDisruptionsAllowed()), "status.disruptionsAllowed");
    nonNegative(errs, intval(s.getCurrentHealthy()), "status.currentHealthy");
    nonNegative(errs, intval(s.getDesiredHealthy()), "status.desiredHealthy");
    nonNegative(errs, intval(s.getExpectedPods()), "status.expectedPods");
    CoreValidation.conditions(errs, list(s.getConditions()), "status.conditions");
  }

  // ------------------------------------------------------------------ EndpointSlice

  static void endpointSlice(List<FieldError> errs, EndpointSlice slice) {
    MetaValidation.objectMeta(errs, slice.getMetadata(), true, NameRules.DNS_SUBDOMAIN, "metadata");
    String type = str(slice.getAddressType());
    List<String> types = List.of("FQDN", "IPv4", "IPv6");
    if (type.isEmpty()) {
      errs.add(FieldError.required("addressType", ""));
    } else if (!types.contains(type)) {
      errs.add(FieldError.notSupported("addressType", type, types));
    }
    List<Endpoint> endpoints = list(slice.getEndpoints());
    if (endpoints.size() > 1000) {
      errs.add(FieldError.tooMany("endpoints", endpoints.size(), 1000));
    }
    for (int i = 0; i < endpoints.size(); i++) {
      Endpoint e = endpoints.get(i);
      String p = index("endpoints", i);
      String ap = child(p, "addresses");
      List<String> addresses = list(e.getAddresses());
      if (addresses.isEmpty()) {
        errs.add(FieldError.required(ap, "must contain at least 1 address"));
      } else if (addresses.size() > 100) {
        errs.add(FieldError.tooMany(ap, addresses.size(), 100));
      }
      for (int j = 0; j < addresses.size(); j++) {
        String a = str(addresses.get(j));
        String aip = index(ap, j);
        switch (type) {
          case "IPv4" -> {
            if (!Ips.isIpv4(a) || a.contains(":")) {
              errs.add(FieldError.invalid(aip, a, "must be a valid IPv4 address"));
            } else {
              Common.nonSpecialIp(errs, a, aip);
            }
          }
          case "IPv6" -> {
            if (!Ips.isIpv6(a)) {
              errs.add(FieldError.invalid(aip, a, "must be a valid IPv6 address"));
            } else {
              Common.nonSpecialIp(errs, a, aip);
            }
          }
          case "FQDN" -> fqdn(errs, a, aip);
          default -> { }
        }
      }
      if (e.getNodeName() != null) {
        Common.name(errs, NameRules.DNS_SUBDOMAIN, e.getNodeName(), child(p, "nodeName"));
      }
      Map<String, String> topology = e.getDeprecatedTopology();
      if (topology != null && topology.size() > 16) {
        errs.add(FieldError.tooMany(child(p, "deprecatedTopology"), topology.size(), 16));
      }
      Common.labels(errs, topology, child(p, "deprecatedTopology"));
      if (e.getHostname() != null) {
        Common.dns1123Label(errs, e.getHostname(), child(p, "hostname"));
      }
      if (e.getHints() != null) {
        var zones = list(e.getHints().getForZones());
        String hp = child(p, "hints", "forZones");
        if (zones.size() > 8) {
          errs.add(FieldError.tooMany(hp, zones.size(), 8));
        }
        Set<String> seen = new HashSet<>();
        for (int j = 0; j < zones.size(); j++) {
          String z = str(zones.get(j).getName());
          if (!seen.add(z)) {
            errs.add(FieldError.duplicate(child(index(hp, j), "name"), z));
          } else {
            for (String m : NameRules.isValidLabelValue(z)) {
              errs.add(FieldError.invalid(child(index(hp, j), "name"), z, m));
            }
          }
        }
      }
    }
    List<EndpointSlicePort> ports = list(slice.getPorts());
    if (ports.size() > 20000) {
      errs.add(FieldError.tooMany("ports", ports.size(), 20000));
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      EndpointSlicePort port = ports.get(i);
      String p = index("ports", i);
      String name = str(port.getName());
      if (!name.isEmpty()) {
        Common.dns1123Label(errs, name, child(p, "name"));
      }
      if (!names.add(name)) {
        errs.add(FieldError.duplicate(child(p, "name"), name));
      }
      if (port.getProtocol() == null) {
        errs.add(FieldError.required(child(p, "protocol"), ""));
      } else if (!PORT_PROTOCOLS.contains(port.getProtocol())) {
        errs.add(FieldError.notSupported(child(p, "protocol"), port.getProtocol(), PORT_PROTOCOLS));
      }
      if (port.getAppProtocol() != null) {
        Common.qualifiedName(errs, port.getAppProtocol(), child(p, "appProtocol"));
      }
    }
  }

  private static void fqdn(List<FieldError> errs, String name, String path) {
    if (name.isEmpty()) {
      errs.add(FieldError.required(path, ""));
      return;
    }
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    List<String> msgs = NameRules.isDns1123Subdomain(n);
    if (!msgs.isEmpty()) {
      errs.add(FieldError.invalid(path, n, String.join(",", msgs)));
      return;
    }
    if (n.split("\\.").length < 2) {
      errs.add(FieldError.invalid(path, n, "should be a domain with at least two segments separated by dots"));
    }
  }

  static void endpointSliceUpdate(List<FieldError> errs, EndpointSlice slice, EndpointSlice old) {
    MetaValidation.objectMetaUpdate(errs, slice.getMetadata(), old.getMetadata(), "metadata");
    endpointSlice(errs, slice);
    immutable(errs, str(slice.getAddressType()), str(old.getAddressType()), "addressType");
  }

  // ------------------------------------------------------------------ RuntimeClass

  static void runtimeClass(List<FieldError> errs, RuntimeClass rc) {
    MetaValidation.objectMeta(errs, rc.getMetadata(), false, NameRules.DNS_SUBDOMAIN, "metadata");
    for (String m : NameRules.isDns1123Label(str(rc.getHandler()))) {
      errs.add(FieldError.invalid("handler", str(rc.getHandler()), m));
    }
    if (rc.getOverhead() != null) {
      PodValidation.resourceRequirements(errs, new ResourceRequirements().withLimits(rc.getOverhead().getPodFixed()),
          Set.of(), "overhead.podFixed");
    }
    if (rc.getScheduling() != null) {
      Common.labels(errs, rc.getScheduling().getNodeSelector(), "scheduling.nodeSelector");
      List<Toleration> tolerations = list(rc.getScheduling().getTolerations());
      PodValidation.tolerations(errs, tolerations, "scheduling.tolerations");
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < tolerations.size(); i++) {
        Toleration t = tolerations.get(i);
        String key = str(t.getKey()) + "\u0000" + str(t.getOperator()) + "\u0000" + str(t.getValue()) + "\u0000"
            + str(t.getEffect());
        if (!seen.add(key)) {
          errs.add(FieldError.duplicate(index("scheduling.tolerations", i), GoValue.raw("core.Toleration{Key:"
              + GoValue.quote(t.getKey()) + ", Operator:" + GoValue.quote(t.getOperator()) + ", Value:"
              + GoValue.quote(t.getValue()) + ", Effect:" + GoValue.quote(t.getEffect()) + ", TolerationSeconds:...}")));
        }
      }
    }
  }

  static void runtimeClassUpdate(List<FieldError> errs, RuntimeClass rc, RuntimeClass old) {
    runtimeClass(errs, rc);
    MetaValidation.objectMetaUpdate(errs, rc.getMetadata(), old.getMetadata(), "metadata");
    immutable(errs, str(rc.getHandler()), str(old.getHandler()), "handler");
  }
}

package io.bosun.apiserver.table;

import static io.bosun.apiserver.table.Formats.NONE;
import static io.bosun.apiserver.table.Formats.age;
import static io.bosun.apiserver.table.Nodes.at;
import static io.bosun.apiserver.table.Nodes.integer;
import static io.bosun.apiserver.table.Nodes.present;
import static io.bosun.apiserver.table.Nodes.size;
import static io.bosun.apiserver.table.Nodes.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Upstream's table handlers ({@code pkg/printers/internalversion/printers.go}) for the kinds this
 * server serves, keyed by {@code group/Kind}: printers work on every version of a kind, as
 * upstream's do on internal types. Cells are those of the wide output, which the server always
 * produces; kubectl hides priority-1 columns itself.
 */
final class Printers {

  private Printers() {
  }

  static final Map<String, Printer> ALL = Map.ofEntries(
      Map.entry("/Pod", PodPrinter.printer()),
      Map.entry("/Node", node()),
      Map.entry("/Namespace", namespace()),
      Map.entry("/Service", service()),
      Map.entry("/Endpoints", endpoints()),
      Map.entry("/ConfigMap", configMap()),
      Map.entry("/Secret", secret()),
      Map.entry("/ServiceAccount", serviceAccount()),
      Map.entry("/Event", event()),
      Map.entry("/PersistentVolume", persistentVolume()),
      Map.entry("/PersistentVolumeClaim", persistentVolumeClaim()),
      Map.entry("apps/Deployment", deployment()),
      Map.entry("apps/ReplicaSet", replicaSet()),
      Map.entry("apps/DaemonSet", daemonSet()),
      Map.entry("apps/StatefulSet", statefulSet()),
      Map.entry("apps/ControllerRevision", controllerRevision()),
      Map.entry("batch/Job", job()),
      Map.entry("batch/CronJob", cronJob()),
      Map.entry("coordination.k8s.io/Lease", lease()),
      Map.entry("scheduling.k8s.io/PriorityClass", priorityClass()),
      Map.entry("policy/PodDisruptionBudget", podDisruptionBudget()),
      Map.entry("discovery.k8s.io/EndpointSlice", endpointSlice()),
      Map.entry("node.k8s.io/RuntimeClass", runtimeClass()),
      Map.entry("autoscaling/Scale", scale()));

  private static String name(JsonNode obj) {
    return text(obj, "metadata", "name");
  }

  private static Printer node() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Status", "string", "The status of the node"),
        Column.of("Roles", "string", "The roles of the node"),
        Column.ageColumn(),
        Column.of("Version", "string", Descriptions.KUBELET_VERSION),
        Column.wide("Internal-IP", "string", Descriptions.NODE_ADDRESSES),
        Column.wide("External-IP", "string", Descriptions.NODE_ADDRESSES),
        Column.wide("OS-Image", "string", Descriptions.OS_IMAGE),
        Column.wide("Kernel-Version", "string", Descriptions.KERNEL_VERSION),
        Column.wide("Container-Runtime", "string", Descriptions.CONTAINER_RUNTIME_VERSION)),
        (obj, now) -> {
          List<String> status = new ArrayList<>();
          // Only the Ready condition counts; the last one of that type wins, as in upstream's map.
          JsonNode ready = null;
          for (JsonNode c : at(obj, "status", "conditions")) {
            if (text(c, "type").equals("Ready")) {
              ready = c;
            }
          }
          if (ready != null) {
            status.add(text(ready, "status").equals("True") ? "Ready" : "NotReady");
          }
          if (status.isEmpty()) {
            status.add("Unknown");
          }
          if (Nodes.bool(obj, "spec", "unschedulable")) {
            status.add("SchedulingDisabled");
          }
          TreeSet<String> roles = new TreeSet<>();
          JsonNode labels = at(obj, "metadata", "labels");
          labels.fields().forEachRemaining(e -> {
            String k = e.getKey();
            if (k.startsWith("node-role.kubernetes.io/")) {
              String role = k.substring("node-role.kubernetes.io/".length());
              if (!role.isEmpty()) {
                roles.add(role);
              }
            } else if (k.equals("kubernetes.io/role") && !e.getValue().asText().isEmpty()) {
              roles.add(e.getValue().asText());
            }
          });
          JsonNode info = at(obj, "status", "nodeInfo");
          return new Row().add(name(obj))
              .add(String.join(",", status))
              .add(roles.isEmpty() ? NONE : String.join(",", roles))
              .add(age(obj, now))
              .add(text(info, "kubeletVersion"))
              .add(nodeAddress(obj, "InternalIP"))
              .add(nodeAddress(obj, "ExternalIP"))
              .add(orUnknown(text(info, "osImage")))
              .add(orUnknown(text(info, "kernelVersion")))
              .add(orUnknown(text(info, "containerRuntimeVersion")));
        });
  }

  private static String nodeAddress(JsonNode node, String type) {
    for (JsonNode a : at(node, "status", "addresses")) {
      if (text(a, "type").equals(type)) {
        return text(a, "address");
      }
    }
    return NONE;
  }

  private static String orUnknown(String s) {
    return s.isEmpty() ? "<unknown>" : s;
  }

  private static Printer namespace() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Status", "string", "The status of the namespace"),
        Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(text(obj, "status", "phase")).add(age(obj, now)));
  }

  private static Printer service() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Type", "string", Descriptions.SVC_TYPE),
        Column.of("Cluster-IP", "string", Descriptions.SVC_CLUSTER_IP),
        Column.of("External-IP", "string", Descriptions.SVC_EXTERNAL_IPS),
        Column.of("Port(s)", "string", Descriptions.SVC_PORTS),
        Column.ageColumn(),
        Column.wide("Selector", "string", Descriptions.SVC_SELECTOR)),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          // The internal type's ClusterIPs starts with clusterIP when that is set (v1 conversion).
          String internalIP = text(spec, "clusterIP");
          if (internalIP.isEmpty()) {
            internalIP = text(spec.path("clusterIPs").path(0));
          }
          List<String> ports = new ArrayList<>();
          for (JsonNode p : spec.path("ports")) {
            long nodePort = integer(p, "nodePort");
            ports.add(nodePort > 0
                ? integer(p, "port") + ":" + nodePort + "/" + text(p, "protocol")
                : integer(p, "port") + "/" + text(p, "protocol"));
          }
          String svcPorts = String.join(",", ports);
          return new Row().add(name(obj))
              .add(text(spec, "type"))
              .add(internalIP.isEmpty() ? NONE : internalIP)
              .add(externalIP(obj))
              .add(svcPorts.isEmpty() ? NONE : svcPorts)
              .add(age(obj, now))
              .add(Formats.labels(spec.path("selector")));
        });
  }

  /** {@code getServiceExternalIP} with wide output (no clipping of load balancer addresses). */
  private static String externalIP(JsonNode svc) {
    JsonNode spec = svc.path("spec");
    List<String> externalIPs = new ArrayList<>();
    spec.path("externalIPs").forEach(ip -> externalIPs.add(ip.asText()));
    switch (text(spec, "type")) {
      case "ClusterIP", "NodePort" -> {
        return externalIPs.isEmpty() ? NONE : String.join(",", externalIPs);
      }
      case "LoadBalancer" -> {
        TreeSet<String> lb = new TreeSet<>();
        for (JsonNode ingress : at(svc, "status", "loadBalancer", "ingress")) {
          if (!text(ingress, "ip").isEmpty()) {
            lb.add(text(ingress, "ip"));
          } else if (!text(ingress, "hostname").isEmpty()) {
            lb.add(text(ingress, "hostname"));
          }
        }
        String lbIps = String.join(",", lb);
        if (!externalIPs.isEmpty()) {
          List<String> results = new ArrayList<>();
          if (!lbIps.isEmpty()) {
            results.addAll(List.of(lbIps.split(",")));
          }
          results.addAll(externalIPs);
          return String.join(",", results);
        }
        return lbIps.isEmpty() ? "<pending>" : lbIps;
      }
      case "ExternalName" -> {
        return text(spec, "externalName");
      }
      default -> {
        return "<unknown>";
      }
    }
  }

  private static Printer endpoints() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Endpoints", "string", Descriptions.ENDPOINTS_SUBSETS),
        Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(formatEndpoints(obj)).add(age(obj, now)));
  }

  /** {@code formatEndpoints} for all ports: at most three addresses, then "+ N more...". */
  private static String formatEndpoints(JsonNode endpoints) {
    JsonNode subsets = endpoints.path("subsets");
    if (subsets.isEmpty()) {
      return NONE;
    }
    List<String> list = new ArrayList<>();
    int max = 3;
    boolean more = false;
    int count = 0;
    for (JsonNode ss : subsets) {
      JsonNode addresses = ss.path("addresses");
      if (ss.path("ports").isEmpty()) {
        // headless services may have no ports
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.add(text(a, "ip"));
        }
        continue;
      }
      for (JsonNode port : ss.path("ports")) {
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.add(joinHostPort(text(a, "ip"), integer(port, "port")));
        }
      }
    }
    String ret = String.join(",", list);
    return more ? ret + " + " + (count - max) + " more..." : ret;
  }

  /** Go's {@code net.JoinHostPort}: IPv6 hosts in brackets. */
  private static String joinHostPort(String host, long port) {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }

  private static Printer configMap() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Data", "string", Descriptions.CONFIGMAP_DATA), Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add((long) size(obj, "data") + size(obj, "binaryData"))
            .add(age(obj, now)));
  }

  private static Printer secret() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Type", "string", Descriptions.SECRET_TYPE),
        Column.of("Data", "string", Descriptions.SECRET_DATA), Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(text(obj, "type")).add((long) size(obj, "data"))
            .add(age(obj, now)));
  }

  private static Printer serviceAccount() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Secrets", "string", Descriptions.SA_SECRETS), Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add((long) size(obj, "secrets")).add(age(obj, now)));
  }

  private static Printer event() {
    return new Printer(List.of(
        Column.of("Last Seen", "string", Descriptions.EVENT_LAST),
        Column.of("Type", "string", Descriptions.EVENT_TYPE),
        Column.of("Reason", "string", Descriptions.EVENT_REASON),
        Column.of("Object", "string", Descriptions.EVENT_OBJECT),
        Column.wide("Subobject", "string", Descriptions.EVENT_FIELD_PATH),
        Column.wide("Source", "string", Descriptions.EVENT_SOURCE),
        Column.of("Message", "string", Descriptions.EVENT_MESSAGE),
        Column.wide("First Seen", "string", Descriptions.EVENT_FIRST),
        Column.wide("Count", "string", Descriptions.EVENT_COUNT),
        new Column("Name", "string", "name", Descriptions.NAME, 1)),
        (obj, now) -> {
          String firstTimestamp = Formats.since(Nodes.time(obj, "firstTimestamp"), now);
          if (Nodes.time(obj, "firstTimestamp") == null) {
            firstTimestamp = Formats.since(Nodes.time(obj, "eventTime"), now);
          }
          String lastTimestamp = Formats.since(Nodes.time(obj, "lastTimestamp"), now);
          if (Nodes.time(obj, "lastTimestamp") == null) {
            lastTimestamp = firstTimestamp;
          }
          long count = integer(obj, "count");
          if (present(obj.path("series"))) {
            lastTimestamp = Formats.since(Nodes.time(obj, "series", "lastObservedTime"), now);
            count = integer(obj, "series", "count");
          } else if (count == 0) {
            // Singleton events don't have a count set in the new API.
            count = 1;
          }
          JsonNode involved = obj.path("involvedObject");
          String kind = text(involved, "kind").toLowerCase(java.util.Locale.ROOT);
          String target = text(involved, "name").isEmpty() ? kind : kind + "/" + text(involved, "name");
          String component = text(obj, "source", "component");
          if (component.isEmpty()) {
            component = text(obj, "reportingComponent");
          }
          String host = text(obj, "source", "host");
          if (host.isEmpty()) {
            host = text(obj, "reportingInstance");
          }
          String source = host.isEmpty() ? component : component + ", " + host;
          return new Row().add(lastTimestamp)
              .add(text(obj, "type"))
              .add(text(obj, "reason"))
              .add(target)
              .add(text(involved, "fieldPath"))
              .add(source)
              .add(text(obj, "message").strip())
              .add(firstTimestamp)
              .add(count)
              .add(name(obj));
        });
  }

  private static Printer persistentVolume() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Capacity", "string", Descriptions.PV_CAPACITY),
        Column.of("Access Modes", "string", Descriptions.PV_ACCESS_MODES),
        Column.of("Reclaim Policy", "string", Descriptions.PV_RECLAIM),
        Column.of("Status", "string", Descriptions.PV_PHASE),
        Column.of("Claim", "string", Descriptions.PV_CLAIM),
        Column.of("StorageClass", "string", "StorageClass of the pv"),
        Column.of("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
        Column.of("Reason", "string", Descriptions.PV_REASON),
        Column.ageColumn(),
        Column.wide("VolumeMode", "string", Descriptions.PV_VOLUME_MODE)),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          String claim = "";
          if (present(spec.path("claimRef"))) {
            claim = text(spec, "claimRef", "namespace") + "/" + text(spec, "claimRef", "name");
          }
          String phase = present(at(obj, "metadata", "deletionTimestamp")) ? "Terminating"
              : text(obj, "status", "phase");
          String storageClass = text(obj, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class");
          if (!at(obj, "metadata", "annotations").has("volume.beta.kubernetes.io/storage-class")) {
            storageClass = text(spec, "storageClassName");
          }
          return new Row().add(name(obj))
              .add(Formats.quantity(spec.path("capacity").path("storage")))
              .add(accessModes(spec.path("accessModes")))
              .add(text(spec, "persistentVolumeReclaimPolicy"))
              .add(phase)
              .add(claim)
              .add(storageClass)
              .add(present(spec.path("volumeAttributesClassName")) ? text(spec, "volumeAttributesClassName")
                  : "<unset>")
              .add(text(obj, "status", "reason"))
              .add(age(obj, now))
              .add(present(spec.path("volumeMode")) ? text(spec, "volumeMode") : "<unset>");
        });
  }

  private static Printer persistentVolumeClaim() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Status", "string", Descriptions.PVC_PHASE),
        Column.of("Volume", "string", Descriptions.PVC_VOLUME_NAME),
        Column.of("Capacity", "string", Descriptions.PVC_CAPACITY),
        Column.of("Access Modes", "string", Descriptions.PVC_ACCESS_MODES),
        Column.of("StorageClass", "string", "StorageClass of the pvc"),
        Column.of("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"),
        Column.ageColumn(),
        Column.wide("VolumeMode", "string", Descriptions.PVC_VOLUME_MODE)),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          String phase = present(at(obj, "metadata", "deletionTimestamp")) ? "Terminating"
              : text(obj, "status", "phase");
          String capacity = "";
          String accessModes = "";
          if (!text(spec, "volumeName").isEmpty()) {
            accessModes = accessModes(at(obj, "status", "accessModes"));
            capacity = Formats.quantity(at(obj, "status", "capacity", "storage"));
          }
          String storageClass = "";
          if (at(obj, "metadata", "annotations").has("volume.beta.kubernetes.io/storage-class")) {
            storageClass = text(obj, "metadata", "annotations", "volume.beta.kubernetes.io/storage-class");
          } else if (present(spec.path("storageClassName"))) {
            storageClass = text(spec, "storageClassName");
          }
          return new Row().add(name(obj))
              .add(phase)
              .add(text(spec, "volumeName"))
              .add(capacity)
              .add(accessModes)
              .add(storageClass)
              .add(present(spec.path("volumeAttributesClassName")) ? text(spec, "volumeAttributesClassName")
                  : "<unset>")
              .add(age(obj, now))
              .add(present(spec.path("volumeMode")) ? text(spec, "volumeMode") : "<unset>");
        });
  }

  /** {@code GetAccessModesAsString}: RWO, ROX, RWX, RWOP in that order, duplicates once. */
  private static String accessModes(JsonNode modes) {
    List<String> present = new ArrayList<>();
    modes.forEach(m -> present.add(m.asText()));
    List<String> out = new ArrayList<>();
    if (present.contains("ReadWriteOnce")) {
      out.add("RWO");
    }
    if (present.contains("ReadOnlyMany")) {
      out.add("ROX");
    }
    if (present.contains("ReadWriteMany")) {
      out.add("RWX");
    }
    if (present.contains("ReadWriteOncePod")) {
      out.add("RWOP");
    }
    return String.join(",", out);
  }

  private static Printer deployment() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Ready", "string", Descriptions.READY_PODS),
        Column.of("Up-to-date", "string", Descriptions.DEPLOY_UPDATED),
        Column.of("Available", "string", Descriptions.DEPLOY_AVAILABLE),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES),
        Column.wide("Selector", "string", Descriptions.DEPLOY_SELECTOR)),
        (obj, now) -> {
          String selector = Formats.selector(at(obj, "spec", "selector"));
          String[] cells = Formats.containerCells(at(obj, "spec", "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(integer(obj, "status", "readyReplicas") + "/" + integer(obj, "spec", "replicas"))
              .add(integer(obj, "status", "updatedReplicas"))
              .add(integer(obj, "status", "availableReplicas"))
              .add(age(obj, now))
              .add(cells[0]).add(cells[1])
              .add(selector == null ? "<invalid>" : selector);
        });
  }

  private static Printer replicaSet() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Desired", "integer", Descriptions.RS_SPEC_REPLICAS),
        Column.of("Current", "integer", Descriptions.RS_STATUS_REPLICAS),
        Column.of("Ready", "integer", Descriptions.RS_READY_REPLICAS),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES),
        Column.wide("Selector", "string", Descriptions.RS_SELECTOR)),
        (obj, now) -> {
          String[] cells = Formats.containerCells(at(obj, "spec", "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(integer(obj, "spec", "replicas"))
              .add(integer(obj, "status", "replicas"))
              .add(integer(obj, "status", "readyReplicas"))
              .add(age(obj, now))
              .add(cells[0]).add(cells[1])
              .add(Formats.formatSelector(at(obj, "spec", "selector")));
        });
  }

  private static Printer daemonSet() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Desired", "integer", Descriptions.DS_DESIRED),
        Column.of("Current", "integer", Descriptions.DS_CURRENT),
        Column.of("Ready", "integer", Descriptions.DS_READY),
        Column.of("Up-to-date", "integer", Descriptions.DS_UPDATED),
        Column.of("Available", "integer", Descriptions.DS_AVAILABLE),
        Column.of("Node Selector", "string", Descriptions.NODE_SELECTOR),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES),
        Column.wide("Selector", "string", Descriptions.DS_SELECTOR)),
        (obj, now) -> {
          JsonNode status = obj.path("status");
          String[] cells = Formats.containerCells(at(obj, "spec", "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(integer(status, "desiredNumberScheduled"))
              .add(integer(status, "currentNumberScheduled"))
              .add(integer(status, "numberReady"))
              .add(integer(status, "updatedNumberScheduled"))
              .add(integer(status, "numberAvailable"))
              .add(Formats.labels(at(obj, "spec", "template", "spec", "nodeSelector")))
              .add(age(obj, now))
              .add(cells[0]).add(cells[1])
              .add(Formats.formatSelector(at(obj, "spec", "selector")));
        });
  }

  private static Printer statefulSet() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Ready", "string", Descriptions.READY_PODS),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES)),
        (obj, now) -> {
          String[] cells = Formats.containerCells(at(obj, "spec", "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(integer(obj, "status", "readyReplicas") + "/" + integer(obj, "spec", "replicas"))
              .add(age(obj, now))
              .add(cells[0]).add(cells[1]);
        });
  }

  private static Printer controllerRevision() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Controller", "string", "Controller of the object"),
        Column.of("Revision", "string", Descriptions.CONTROLLER_REVISION),
        Column.ageColumn()),
        (obj, now) -> {
          String controller = NONE;
          for (JsonNode ref : at(obj, "metadata", "ownerReferences")) {
            if (Nodes.bool(ref, "controller")) {
              // formatResourceName: lower-cased Kind.group/name
              String apiVersion = text(ref, "apiVersion");
              int slash = apiVersion.indexOf('/');
              String group = slash < 0 ? "" : apiVersion.substring(0, slash);
              String kind = text(ref, "kind");
              String groupKind = group.isEmpty() ? kind : kind + "." + group;
              controller = kind.isEmpty() && group.isEmpty() ? text(ref, "name")
                  : groupKind.toLowerCase(java.util.Locale.ROOT) + "/" + text(ref, "name");
              break;
            }
          }
          return new Row().add(name(obj)).add(controller).add(integer(obj, "revision")).add(age(obj, now));
        });
  }

  private static Printer job() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Status", "string", "Status of the job."),
        Column.of("Completions", "string", Descriptions.JOB_SUCCEEDED),
        Column.of("Duration", "string", "Time required to complete the job."),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES),
        Column.wide("Selector", "string", Descriptions.JOB_SELECTOR)),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          JsonNode status = obj.path("status");
          long succeeded = integer(status, "succeeded");
          String completions;
          if (present(spec.path("completions"))) {
            completions = succeeded + "/" + integer(spec, "completions");
          } else {
            long parallelism = integer(spec, "parallelism");
            completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
          }
          Instant start = Nodes.time(status, "startTime");
          Instant completion = Nodes.time(status, "completionTime");
          String jobDuration = "";
          if (start != null) {
            jobDuration = HumanDuration.format(Duration.between(start, completion == null ? now : completion));
          }
          String state;
          if (jobCondition(status, "Complete")) {
            state = "Complete";
          } else if (jobCondition(status, "Failed")) {
            state = "Failed";
          } else if (present(at(obj, "metadata", "deletionTimestamp"))) {
            state = "Terminating";
          } else if (jobCondition(status, "Suspended")) {
            state = "Suspended";
          } else if (jobCondition(status, "FailureTarget")) {
            state = "FailureTarget";
          } else {
            state = "Running";
          }
          String[] cells = Formats.containerCells(at(spec, "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(state)
              .add(completions)
              .add(jobDuration)
              .add(age(obj, now))
              .add(cells[0]).add(cells[1])
              .add(Formats.formatSelector(spec.path("selector")));
        });
  }

  /** {@code hasJobCondition}: the first condition of that type decides. */
  private static boolean jobCondition(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (text(c, "type").equals(type)) {
        return text(c, "status").equals("True");
      }
    }
    return false;
  }

  private static Printer cronJob() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Schedule", "string", Descriptions.CRON_SCHEDULE),
        Column.of("Timezone", "string", Descriptions.CRON_TIMEZONE),
        Column.of("Suspend", "boolean", Descriptions.CRON_SUSPEND),
        Column.of("Active", "integer", Descriptions.CRON_ACTIVE),
        Column.of("Last Schedule", "string", Descriptions.CRON_LAST_SCHEDULE),
        Column.ageColumn(),
        Column.wide("Containers", "string", Descriptions.CONTAINERS),
        Column.wide("Images", "string", Descriptions.IMAGES),
        Column.wide("Selector", "string", Descriptions.JOB_SELECTOR)),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          String lastSchedule = NONE;
          if (present(at(obj, "status", "lastScheduleTime"))) {
            lastSchedule = Formats.since(Nodes.time(obj, "status", "lastScheduleTime"), now);
          }
          String suspend = "<unset>";
          if (present(spec.path("suspend"))) {
            suspend = spec.path("suspend").asBoolean() ? "True" : "False";
          }
          JsonNode jobSpec = at(spec, "jobTemplate", "spec");
          String[] cells = Formats.containerCells(at(jobSpec, "template", "spec", "containers"));
          return new Row().add(name(obj))
              .add(text(spec, "schedule"))
              .add(present(spec.path("timeZone")) ? text(spec, "timeZone") : NONE)
              .add(suspend)
              .add((long) size(obj, "status", "active"))
              .add(lastSchedule)
              .add(age(obj, now))
              .add(cells[0]).add(cells[1])
              .add(Formats.formatSelector(jobSpec.path("selector")));
        });
  }

  private static Printer lease() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Holder", "string", Descriptions.LEASE_HOLDER), Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(text(obj, "spec", "holderIdentity")).add(age(obj, now)));
  }

  private static Printer priorityClass() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Value", "integer", Descriptions.PC_VALUE),
        Column.of("Global-Default", "boolean", Descriptions.PC_GLOBAL_DEFAULT),
        Column.ageColumn(),
        Column.of("PreemptionPolicy", "string", Descriptions.PC_PREEMPTION)),
        (obj, now) -> new Row().add(name(obj))
            .add(integer(obj, "value"))
            .add(Nodes.bool(obj, "globalDefault"))
            .add(age(obj, now))
            .add(text(obj, "preemptionPolicy")));
  }

  private static Printer podDisruptionBudget() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("Min Available", "string", "The minimum number of pods that must be available."),
        Column.of("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
        Column.of("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
        Column.ageColumn()),
        (obj, now) -> {
          JsonNode spec = obj.path("spec");
          return new Row().add(name(obj))
              .add(present(spec.path("minAvailable")) ? Formats.intOrString(spec.path("minAvailable")) : "N/A")
              .add(present(spec.path("maxUnavailable")) ? Formats.intOrString(spec.path("maxUnavailable")) : "N/A")
              .add(integer(obj, "status", "disruptionsAllowed"))
              .add(age(obj, now));
        });
  }

  private static Printer endpointSlice() {
    return new Printer(List.of(
        Column.nameColumn(),
        Column.of("AddressType", "string", Descriptions.SLICE_ADDRESS_TYPE),
        Column.of("Ports", "string", Descriptions.SLICE_PORTS),
        Column.of("Endpoints", "string", Descriptions.SLICE_ENDPOINTS),
        Column.ageColumn()),
        (obj, now) -> {
          List<String> ports = new ArrayList<>();
          int count = 0;
          boolean more = false;
          for (JsonNode p : obj.path("ports")) {
            if (ports.size() < 3) {
              String port = "*";
              if (present(p.path("port"))) {
                port = Long.toString(integer(p, "port"));
              } else if (present(p.path("name"))) {
                port = text(p, "name");
              }
              ports.add(port);
            } else if (ports.size() == 3) {
              more = true;
            }
            count++;
          }
          List<String> addresses = new ArrayList<>();
          int addressCount = 0;
          boolean moreAddresses = false;
          for (JsonNode e : obj.path("endpoints")) {
            for (JsonNode a : e.path("addresses")) {
              if (addresses.size() < 3) {
                addresses.add(a.asText());
              } else if (addresses.size() == 3) {
                moreAddresses = true;
              }
              addressCount++;
            }
          }
          return new Row().add(name(obj))
              .add(text(obj, "addressType"))
              .add(listWithMore(ports, more, count))
              .add(listWithMore(addresses, moreAddresses, addressCount))
              .add(age(obj, now));
        });
  }

  private static String listWithMore(List<String> list, boolean more, int count) {
    String ret = String.join(",", list);
    if (more) {
      return ret + " + " + (count - 3) + " more...";
    }
    return ret.isEmpty() ? "<unset>" : ret;
  }

  private static Printer runtimeClass() {
    return new Printer(List.of(Column.nameColumn(), Column.of("Handler", "string", ""), Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(text(obj, "handler")).add(age(obj, now)));
  }

  private static Printer scale() {
    return new Printer(List.of(
        new Column("Name", "string", "", Descriptions.NAME, 0),
        Column.of("Desired", "integer", Descriptions.SCALE_SPEC_REPLICAS),
        Column.of("Available", "integer", Descriptions.SCALE_STATUS_REPLICAS),
        Column.ageColumn()),
        (obj, now) -> new Row().add(name(obj)).add(integer(obj, "spec", "replicas"))
            .add(integer(obj, "status", "replicas")).add(age(obj, now)));
  }
}

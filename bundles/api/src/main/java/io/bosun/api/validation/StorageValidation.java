package io.bosun.api.validation;

import static io.bosun.api.validation.Common.immutable;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.key;
import static io.bosun.api.validation.PodValidation.required;

import io.bosun.api.core.v1.PersistentVolume;
import io.bosun.api.core.v1.PersistentVolumeClaim;
import io.bosun.api.core.v1.PersistentVolumeClaimSpec;
import io.bosun.api.core.v1.PersistentVolumeClaimStatus;
import io.bosun.api.core.v1.PersistentVolumeSpec;
import io.bosun.api.core.v1.TypedLocalObjectReference;
import io.bosun.api.core.v1.TypedObjectReference;
import io.bosun.api.values.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/** Persistent volume and claim validation, after upstream's {@code pkg/apis/core/validation}. */
final class StorageValidation {

  private static final List<String> ACCESS_MODES = List.of("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
      "ReadWriteOncePod");
  private static final List<String> VOLUME_MODES = List.of("Block", "Filesystem");
  private static final List<String> RECLAIM_POLICIES = List.of("Delete", "Recycle", "Retain");

  private StorageValidation() {
  }

  // ------------------------------------------------------------------ claims

  static void claim(List<FieldError> errs, PersistentVolumeClaim pvc) {
    MetaValidation.objectMeta(errs, pvc.getMetadata(), true, NameRules.PATH_SEGMENT, "metadata");
    claimSpec(errs, pvc.getSpec(), "spec");
  }

  static void claimSpec(List<FieldError> errs, PersistentVolumeClaimSpec spec, String path) {
    if (spec == null) {
      spec = new PersistentVolumeClaimSpec();
    }
    List<String> modes = list(spec.getAccessModes());
    if (modes.isEmpty()) {
      errs.add(FieldError.required(child(path, "accessModes"), "at least 1 access mode is required"));
    }
    Common.labelSelector(errs, spec.getSelector(), child(path, "selector"));
    accessModes(errs, modes, child(path, "accessModes"));
    Map<String, Quantity> requests = spec.getResources() == null || spec.getResources().getRequests() == null
        ? Map.of() : spec.getResources().getRequests();
    String storagePath = key(child(path, "resources"), "storage");
    Quantity storage = requests.get("storage");
    if (storage == null) {
      errs.add(FieldError.required(storagePath, ""));
    } else {
      List<FieldError> positive = new ArrayList<>();
      Common.positiveQuantity(positive, storage, storagePath);
      errs.addAll(positive);
    }
    if (!isEmpty(spec.getStorageClassName())) {
      Common.name(errs, NameRules.DNS_SUBDOMAIN, spec.getStorageClassName(), child(path, "storageClassName"));
    }
    if (spec.getVolumeMode() != null && !VOLUME_MODES.contains(spec.getVolumeMode())) {
      errs.add(FieldError.notSupported(child(path, "volumeMode"), spec.getVolumeMode(), VOLUME_MODES));
    }
    if (spec.getDataSource() != null) {
      dataSource(errs, spec.getDataSource(), child(path, "dataSource"));
    }
    TypedObjectReference ref = spec.getDataSourceRef();
    if (ref != null) {
      dataSource(errs, new TypedLocalObjectReference().withApiGroup(ref.getApiGroup()).withKind(ref.getKind())
          .withName(ref.getName()), child(path, "dataSourceRef"));
      if (ref.getNamespace() != null && !ref.getNamespace().isEmpty()) {
        for (String m : NameRules.isDns1123Label(ref.getNamespace())) {
          errs.add(FieldError.invalid(child(path, "dataSourceRef", "namespace"), ref.getNamespace(), m));
        }
      }
    }
    if (ref != null && !isEmpty(ref.getNamespace())) {
      if (spec.getDataSource() != null) {
        errs.add(FieldError.invalid(path, child(path, "dataSource"),
            "may not be specified when dataSourceRef.namespace is specified"));
      }
    } else if (spec.getDataSource() != null && ref != null) {
      TypedLocalObjectReference ds = spec.getDataSource();
      if (!Objects.equals(str(ds.getApiGroup()), str(ref.getApiGroup())) || !Objects.equals(ds.getKind(), ref.getKind())
          || !Objects.equals(ds.getName(), ref.getName())) {
        errs.add(FieldError.invalid(path, child(path, "dataSource"), "must match dataSourceRef"));
      }
    }
    if (!isEmpty(spec.getVolumeAttributesClassName())) {
      Common.name(errs, NameRules.DNS_SUBDOMAIN, spec.getVolumeAttributesClassName(),
          child(path, "volumeAttributesClassName"));
    }
  }

  private static void accessModes(List<FieldError> errs, List<String> modes, String path) {
    boolean rwop = false;
    boolean other = false;
    for (String mode : modes) {
      if (!ACCESS_MODES.contains(mode)) {
        errs.add(FieldError.notSupported(path, mode, ACCESS_MODES));
      }
      if ("ReadWriteOncePod".equals(mode)) {
        rwop = true;
      } else if (ACCESS_MODES.contains(mode)) {
        other = true;
      }
    }
    if (rwop && other) {
      errs.add(FieldError.forbidden(path, "may not use ReadWriteOncePod with other access modes"));
    }
  }

  private static void dataSource(List<FieldError> errs, TypedLocalObjectReference ds, String path) {
    if (isEmpty(ds.getName())) {
      errs.add(FieldError.required(child(path, "name"), ""));
    }
    if (isEmpty(ds.getKind())) {
      errs.add(FieldError.required(child(path, "kind"), ""));
    }
    String group = str(ds.getApiGroup());
    if (!group.isEmpty()) {
      Common.dns1123Subdomain(errs, group, child(path, "apiGroup"));
    } else if (!isEmpty(ds.getKind()) && !"PersistentVolumeClaim".equals(ds.getKind())) {
      errs.add(FieldError.invalid(child(path, "kind"), ds.getKind(),
          "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
    }
  }

  static void claimUpdate(List<FieldError> errs, PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
    MetaValidation.objectMetaUpdate(errs, pvc.getMetadata(), old.getMetadata(), "metadata");
    claim(errs, pvc);
    PersistentVolumeClaimSpec spec = pvc.getSpec() == null ? new PersistentVolumeClaimSpec() : pvc.getSpec();
    PersistentVolumeClaimSpec oldSpec = old.getSpec() == null ? new PersistentVolumeClaimSpec() : old.getSpec();
    PersistentVolumeClaimSpec newClone = spec.deepCopy();
    PersistentVolumeClaimSpec oldClone = oldSpec.deepCopy();
    if (isEmpty(oldSpec.getVolumeName())) {
      // The binder may set volumeName once.
      oldClone.setVolumeName(newClone.getVolumeName());
    }
    if (oldClone.getStorageClassName() == null && newClone.getStorageClassName() != null
        && !annotations(old).containsKey("volume.beta.kubernetes.io/storage-class")) {
      // Setting the class of a claim that had none is allowed (retroactive default class assignment).
      newClone.setStorageClassName(null);
    }
    boolean bound = pvc.getStatus() != null && "Bound".equals(pvc.getStatus().getPhase());
    if (bound && newClone.getResources() != null && newClone.getResources().getRequests() != null) {
      Map<String, Quantity> requests = new java.util.LinkedHashMap<>(newClone.getResources().getRequests());
      Quantity oldStorage = storage(oldSpec);
      if (oldStorage == null) {
        requests.remove("storage");
      } else {
        requests.put("storage", oldStorage);
      }
      newClone.getResources().setRequests(requests);
    }
    if (bound && newClone.getVolumeAttributesClassName() != null) {
      newClone.setVolumeAttributesClassName(oldClone.getVolumeAttributesClassName());
    }
    if (!PodValidation.semanticEquals(newClone, oldClone)) {
      errs.add(FieldError.forbidden("spec", "spec is immutable after creation except resources.requests and "
          + "volumeAttributesClassName for bound claims\n" + SpecDiff.diff(oldClone, newClone)));
    }
    Quantity oldSize = storage(oldSpec);
    Quantity newSize = storage(spec);
    Quantity statusSize = old.getStatus() == null || old.getStatus().getCapacity() == null ? null
        : old.getStatus().getCapacity().get("storage");
    if (newSize != null && oldSize != null && newSize.compareTo(oldSize) < 0) {
      // RecoverVolumeExpansionFailure (on since 1.32): shrinking is allowed down to above status.capacity.
      if (statusSize == null || newSize.compareTo(statusSize) <= 0) {
        errs.add(FieldError.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
      }
    }
    immutable(errs, spec.getVolumeMode(), oldSpec.getVolumeMode(), "volumeMode");
  }

  private static Map<String, String> annotations(PersistentVolumeClaim pvc) {
    return pvc.getMetadata() == null || pvc.getMetadata().getAnnotations() == null ? Map.of()
        : pvc.getMetadata().getAnnotations();
  }

  private static Quantity storage(PersistentVolumeClaimSpec spec) {
    return spec.getResources() == null || spec.getResources().getRequests() == null ? null
        : spec.getResources().getRequests().get("storage");
  }

  static void claimStatusUpdate(List<FieldError> errs, PersistentVolumeClaim pvc, PersistentVolumeClaim old) {
    MetaValidation.objectMetaUpdate(errs, pvc.getMetadata(), old.getMetadata(), "metadata");
    PersistentVolumeClaimStatus status = pvc.getStatus() == null ? new PersistentVolumeClaimStatus() : pvc.getStatus();
    if (pvc.getMetadata() == null || isEmpty(pvc.getMetadata().getResourceVersion())) {
      errs.add(FieldError.required("resourceVersion", ""));
    }
    for (var e : Common.sorted(status.getCapacity()).entrySet()) {
      PodValidation.resourceQuantityValue(errs, e.getKey(), e.getValue(), key("status.capacity", e.getKey()));
    }
    for (var e : Common.sorted(status.getAllocatedResources()).entrySet()) {
      PodValidation.resourceQuantityValue(errs, e.getKey(), e.getValue(),
          key("status.allocatedResources", e.getKey()));
    }
    for (var e : Common.sorted(status.getAllocatedResourceStatuses()).entrySet()) {
      List<String> valid = List.of("ControllerResizeInProgress", "ControllerResizeInfeasible",
          "NodeResizeInProgress", "NodeResizeInfeasible", "NodeResizePending");
      if (!valid.contains(e.getValue())) {
        errs.add(FieldError.notSupported(key("status.allocatedResourceStatuses", e.getKey()), e.getValue(), valid));
      }
    }
  }

  // ------------------------------------------------------------------ volumes

  private record Source(String name, Function<PersistentVolumeSpec, Object> get) {}

  private static final List<Source> SOURCES = List.of(new Source("hostPath", PersistentVolumeSpec::getHostPath),
      new Source("gcePersistentDisk", PersistentVolumeSpec::getGcePersistentDisk),
      new Source("awsElasticBlockStore", PersistentVolumeSpec::getAwsElasticBlockStore),
      new Source("glusterfs", PersistentVolumeSpec::getGlusterfs),
      new Source("flocker", PersistentVolumeSpec::getFlocker), new Source("nfs", PersistentVolumeSpec::getNfs),
      new Source("rbd", PersistentVolumeSpec::getRbd), new Source("quobyte", PersistentVolumeSpec::getQuobyte),
      new Source("cephfs", PersistentVolumeSpec::getCephfs), new Source("iscsi", PersistentVolumeSpec::getIscsi),
      new Source("cinder", PersistentVolumeSpec::getCinder), new Source("fc", PersistentVolumeSpec::getFc),
      new Source("flexVolume", PersistentVolumeSpec::getFlexVolume),
      new Source("azureFile", PersistentVolumeSpec::getAzureFile),
      new Source("vsphereVolume", PersistentVolumeSpec::getVsphereVolume),
      new Source("photonPersistentDisk", PersistentVolumeSpec::getPhotonPersistentDisk),
      new Source("portworxVolume", PersistentVolumeSpec::getPortworxVolume),
      new Source("azureDisk", PersistentVolumeSpec::getAzureDisk),
      new Source("scaleIO", PersistentVolumeSpec::getScaleIO), new Source("local", PersistentVolumeSpec::getLocal),
      new Source("storageos", PersistentVolumeSpec::getStorageos), new Source("csi", PersistentVolumeSpec::getCsi));

  static void volume(List<FieldError> errs, PersistentVolume pv) {
    MetaValidation.objectMeta(errs, pv.getMetadata(), false, NameRules.PATH_SEGMENT, "metadata");
    PersistentVolumeSpec spec = pv.getSpec() == null ? new PersistentVolumeSpec() : pv.getSpec();
    String path = "spec";
    List<String> modes = list(spec.getAccessModes());
    if (modes.isEmpty()) {
      errs.add(FieldError.required(child(path, "accessModes"), ""));
    }
    accessModes(errs, modes, child(path, "accessModes"));
    Map<String, Quantity> capacity = spec.getCapacity() == null ? Map.of() : spec.getCapacity();
    if (capacity.isEmpty()) {
      errs.add(FieldError.required(child(path, "capacity"), ""));
    }
    if (!capacity.containsKey("storage") || capacity.size() > 1) {
      errs.add(FieldError.notSupported(child(path, "capacity"), GoValue.raw("core.ResourceList{...}"),
          List.of("storage")));
    }
    for (var e : Common.sorted(capacity).entrySet()) {
      Common.positiveQuantity(errs, e.getValue(), key(child(path, "capacity"), e.getKey()));
    }
    if (!isEmpty(spec.getStorageClassName())) {
      Common.name(errs, NameRules.DNS_SUBDOMAIN, spec.getStorageClassName(), child(path, "storageClassName"));
    }
    if (spec.getVolumeMode() != null && !VOLUME_MODES.contains(spec.getVolumeMode())) {
      errs.add(FieldError.notSupported(child(path, "volumeMode"), spec.getVolumeMode(), VOLUME_MODES));
    }
    if (!isEmpty(spec.getPersistentVolumeReclaimPolicy())
        && !RECLAIM_POLICIES.contains(spec.getPersistentVolumeReclaimPolicy())) {
      errs.add(FieldError.notSupported(child(path, "persistentVolumeReclaimPolicy"),
          spec.getPersistentVolumeReclaimPolicy(), RECLAIM_POLICIES));
    }
    boolean nodeAffinity = false;
    if (spec.getNodeAffinity() != null && spec.getNodeAffinity().getRequired() != null) {
      nodeAffinity = true;
      PodValidation.nodeSelector(errs, spec.getNodeAffinity().getRequired(), child(path, "nodeAffinity", "required"));
    } else if (spec.getNodeAffinity() != null) {
      errs.add(FieldError.required(child(path, "nodeAffinity", "required"), "must specify required node constraints"));
    }
    int n = 0;
    for (Source s : SOURCES) {
      if (s.get().apply(spec) == null) {
        continue;
      }
      String p = child(path, s.name());
      if (n++ > 0) {
        errs.add(FieldError.forbidden(p, "may not specify more than 1 volume type"));
        continue;
      }
      switch (s.name()) {
        case "hostPath" -> PodValidation.hostPath(errs, spec.getHostPath(), p);
        case "nfs" -> {
          required(errs, spec.getNfs().getServer(), child(p, "server"));
          if (isEmpty(spec.getNfs().getPath())) {
            errs.add(FieldError.required(child(p, "path"), ""));
          } else if (!spec.getNfs().getPath().startsWith("/")) {
            errs.add(FieldError.invalid(child(p, "path"), spec.getNfs().getPath(), "must be an absolute path"));
          }
        }
        case "local" -> {
          if (isEmpty(spec.getLocal().getPath())) {
            errs.add(FieldError.required(child(p, "path"), ""));
          } else if (List.of(spec.getLocal().getPath().split("/")).contains("..")) {
            errs.add(FieldError.invalid(child(p, "path"), spec.getLocal().getPath(), "must not contain '..'"));
          }
        }
        case "csi" -> {
          PodValidation.csiDriverName(errs, spec.getCsi().getDriver(), child(p, "driver"));
          required(errs, spec.getCsi().getVolumeHandle(), child(p, "volumeHandle"));
        }
        case "iscsi" -> {
          required(errs, spec.getIscsi().getTargetPortal(), child(p, "targetPortal"));
          required(errs, spec.getIscsi().getIqn(), child(p, "iqn"));
        }
        case "rbd" -> {
          if (list(spec.getRbd().getMonitors()).isEmpty()) {
            errs.add(FieldError.required(child(p, "monitors"), ""));
          }
          required(errs, spec.getRbd().getImage(), child(p, "image"));
        }
        case "glusterfs" -> {
          required(errs, spec.getGlusterfs().getEndpoints(), child(p, "endpoints"));
          required(errs, spec.getGlusterfs().getPath(), child(p, "path"));
        }
        default -> { }
      }
    }
    if (n == 0) {
      errs.add(FieldError.required(path, "must specify a volume type"));
    }
    if (spec.getHostPath() != null && "/".equals(cleanPath(str(spec.getHostPath().getPath())))
        && "Recycle".equals(spec.getPersistentVolumeReclaimPolicy())) {
      errs.add(FieldError.forbidden(child(path, "persistentVolumeReclaimPolicy"),
          "may not be 'recycle' for a hostPath mount of '/'"));
    }
    if (spec.getLocal() != null && !nodeAffinity) {
      errs.add(FieldError.required(child(path, "nodeAffinity"), "Local volume requires node affinity"));
    }
  }

  private static String cleanPath(String p) {
    String c = java.nio.file.Path.of(p.isEmpty() ? "." : p).normalize().toString();
    return c.isEmpty() ? "." : c;
  }

  static void volumeUpdate(List<FieldError> errs, PersistentVolume pv, PersistentVolume old) {
    MetaValidation.objectMetaUpdate(errs, pv.getMetadata(), old.getMetadata(), "metadata");
    volume(errs, pv);
    PersistentVolumeSpec spec = pv.getSpec() == null ? new PersistentVolumeSpec() : pv.getSpec().deepCopy();
    PersistentVolumeSpec oldSpec = old.getSpec() == null ? new PersistentVolumeSpec() : old.getSpec();
    if (oldSpec.getCsi() != null && oldSpec.getCsi().getControllerExpandSecretRef() == null && spec.getCsi() != null) {
      spec.getCsi().setControllerExpandSecretRef(null);
    }
    boolean sourceChanged = false;
    for (Source s : SOURCES) {
      if (!PodValidation.semanticEquals(s.get().apply(spec), s.get().apply(oldSpec))) {
        sourceChanged = true;
      }
    }
    if (sourceChanged) {
      errs.add(FieldError.forbidden("spec.persistentvolumesource",
          "spec.persistentvolumesource is immutable after creation\n" + SpecDiff.diff(sources(oldSpec), sources(spec))));
    }
    immutable(errs, spec.getVolumeMode(), oldSpec.getVolumeMode(), "volumeMode");
    if (oldSpec.getNodeAffinity() != null && !PodValidation.semanticEquals(spec.getNodeAffinity(),
        oldSpec.getNodeAffinity())) {
      errs.add(FieldError.invalid("nodeAffinity", GoValue.raw("core.VolumeNodeAffinity{...}"), Common.IMMUTABLE));
    }
  }

  private static Map<String, Object> sources(PersistentVolumeSpec spec) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (Source s : SOURCES) {
      if (s.get().apply(spec) != null) {
        m.put(s.name(), s.get().apply(spec));
      }
    }
    return m;
  }

  static void volumeStatusUpdate(List<FieldError> errs, PersistentVolume pv, PersistentVolume old) {
    MetaValidation.objectMetaUpdate(errs, pv.getMetadata(), old.getMetadata(), "metadata");
    if (pv.getMetadata() == null || isEmpty(pv.getMetadata().getResourceVersion())) {
      errs.add(FieldError.required("resourceVersion", ""));
    }
  }
}

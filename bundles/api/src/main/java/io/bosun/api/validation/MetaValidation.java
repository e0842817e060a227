package io.bosun.api.validation;

import static io.bosun.api.validation.Common.immutable;
import static io.bosun.api.validation.Common.isEmpty;
import static io.bosun.api.validation.Common.labels;
import static io.bosun.api.validation.Common.list;
import static io.bosun.api.validation.Common.nonNegative;
import static io.bosun.api.validation.Common.qualifiedName;
import static io.bosun.api.validation.Common.str;
import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;

import io.bosun.api.meta.v1.ManagedFieldsEntry;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** upstream's {@code ValidateObjectMeta} and {@code ValidateObjectMetaUpdate}. */
final class MetaValidation {

  static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
  private static final Set<String> STANDARD_FINALIZERS = Set.of("kubernetes", "orphan", "foregroundDeletion");

  private MetaValidation() {
  }

  static void objectMeta(List<FieldError> errs, ObjectMeta meta, boolean namespaced, NameRules.NameRule nameRule,
      String path) {
    if (meta == null) {
      meta = new ObjectMeta();
    }
    if (!isEmpty(meta.getGenerateName())) {
      for (String msg : nameRule.validate(meta.getGenerateName(), true)) {
        errs.add(FieldError.invalid(child(path, "generateName"), meta.getGenerateName(), msg));
      }
    }
    if (isEmpty(meta.getName())) {
      errs.add(FieldError.required(child(path, "name"), "name or generateName is required"));
    } else {
      for (String msg : nameRule.validate(meta.getName(), false)) {
        errs.add(FieldError.invalid(child(path, "name"), meta.getName(), msg));
      }
    }
    if (namespaced) {
      if (isEmpty(meta.getNamespace())) {
        errs.add(FieldError.required(child(path, "namespace"), ""));
      } else {
        for (String msg : NameRules.isDns1123Label(meta.getNamespace())) {
          errs.add(FieldError.invalid(child(path, "namespace"), meta.getNamespace(), msg));
        }
      }
    } else if (!isEmpty(meta.getNamespace())) {
      errs.add(FieldError.forbidden(child(path, "namespace"), "not allowed on this type"));
    }
    nonNegative(errs, Common.longval(meta.getGeneration()), child(path, "generation"));
    labels(errs, meta.getLabels(), child(path, "labels"));
    annotations(errs, meta.getAnnotations(), child(path, "annotations"));
    ownerReferences(errs, meta.getOwnerReferences(), child(path, "ownerReferences"));
    finalizers(errs, meta.getFinalizers(), child(path, "finalizers"));
    managedFields(errs, meta.getManagedFields(), child(path, "managedFields"));
    // core's wrapper: finalizers without a domain must be standard ones.
    List<String> finalizers = list(meta.getFinalizers());
    for (int i = 0; i < finalizers.size(); i++) {
      kubeFinalizerName(errs, finalizers.get(i), index(child(path, "finalizers"), i));
    }
  }

  static void objectMetaUpdate(List<FieldError> errs, ObjectMeta meta, ObjectMeta old, String path) {
    if (meta == null) {
      meta = new ObjectMeta();
    }
    if (old == null) {
      old = new ObjectMeta();
    }
    if (old.getDeletionTimestamp() != null) {
      Set<String> added = new LinkedHashSet<>(list(meta.getFinalizers()));
      list(old.getFinalizers()).forEach(added::remove);
      if (!added.isEmpty()) {
        errs.add(FieldError.forbidden(child(path, "finalizers"),
            "no new finalizers can be added if the object is being deleted, found new finalizers "
                + GoValue.strings(new ArrayList<>(added))));
      }
    }
    if (isEmpty(meta.getResourceVersion())) {
      errs.add(FieldError.invalid(child(path, "resourceVersion"), str(meta.getResourceVersion()),
          "must be specified for an update"));
    }
    if (Common.longval(meta.getGeneration()) < Common.longval(old.getGeneration())) {
      errs.add(FieldError.invalid(child(path, "generation"), Common.longval(meta.getGeneration()),
          "must not be decremented"));
    }
    immutable(errs, str(meta.getName()), str(old.getName()), child(path, "name"));
    immutable(errs, str(meta.getNamespace()), str(old.getNamespace()), child(path, "namespace"));
    immutable(errs, str(meta.getUid()), str(old.getUid()), child(path, "uid"));
    if (!java.util.Objects.equals(meta.getCreationTimestamp(), old.getCreationTimestamp())) {
      errs.add(FieldError.invalid(child(path, "creationTimestamp"), time(meta.getCreationTimestamp()),
          Common.IMMUTABLE));
    }
    if (!java.util.Objects.equals(meta.getDeletionTimestamp(), old.getDeletionTimestamp())) {
      errs.add(FieldError.invalid(child(path, "deletionTimestamp"), time(meta.getDeletionTimestamp()),
          Common.IMMUTABLE));
    }
    immutable(errs, meta.getDeletionGracePeriodSeconds(), old.getDeletionGracePeriodSeconds(),
        child(path, "deletionGracePeriodSeconds"));
    labels(errs, meta.getLabels(), child(path, "labels"));
    annotations(errs, meta.getAnnotations(), child(path, "annotations"));
    ownerReferences(errs, meta.getOwnerReferences(), child(path, "ownerReferences"));
    managedFields(errs, meta.getManagedFields(), child(path, "managedFields"));
  }

  private static Object time(java.time.Instant t) {
    return t == null ? null : GoValue.raw(io.bosun.api.values.Times.formatSeconds(t));
  }

  static void annotations(List<FieldError> errs, Map<String, String> annotations, String path) {
    if (annotations == null) {
      return;
    }
    long total = 0;
    for (var e : Common.sorted(annotations).entrySet()) {
      // Annotation keys are qualified names, except that case does not matter.
      for (String msg : NameRules.isQualifiedName(e.getKey().toLowerCase(Locale.ROOT))) {
        errs.add(FieldError.invalid(path, e.getKey(), msg));
      }
      total += e.getKey().getBytes(StandardCharsets.UTF_8).length
          + str(e.getValue()).getBytes(StandardCharsets.UTF_8).length;
    }
    if (total > TOTAL_ANNOTATION_SIZE_LIMIT) {
      errs.add(FieldError.tooLong(path, "", TOTAL_ANNOTATION_SIZE_LIMIT));
    }
  }

  static void ownerReferences(List<FieldError> errs, List<OwnerReference> refs, String path) {
    String firstController = null;
    for (OwnerReference ref : list(refs)) {
      String apiVersion = str(ref.getApiVersion());
      String version = apiVersion;
      if (apiVersion.contains("/")) {
        String[] parts = apiVersion.split("/", -1);
        version = parts.length == 2 ? parts[1] : "";
      }
      if (version.isEmpty()) {
        errs.add(FieldError.invalid(child(path, "apiVersion"), apiVersion, "version must not be empty"));
      }
      if (isEmpty(ref.getKind())) {
        errs.add(FieldError.invalid(child(path, "kind"), str(ref.getKind()), "kind must not be empty"));
      }
      if (isEmpty(ref.getName())) {
        errs.add(FieldError.invalid(child(path, "name"), str(ref.getName()), "name must not be empty"));
      }
      if (isEmpty(ref.getUid())) {
        errs.add(FieldError.invalid(child(path, "uid"), str(ref.getUid()), "uid must not be empty"));
      }
      if (Common.isTrue(ref.getController())) {
        String current = ref.getKind() + "/" + ref.getName();
        if (firstController != null) {
          errs.add(FieldError.invalid(path, GoValue.raw("[]v1.OwnerReference{...}"),
              "Only one reference can have Controller set to true. Found \"true\" in references for "
                  + firstController + " and " + current));
        } else {
          firstController = current;
        }
      }
    }
  }

  static void finalizers(List<FieldError> errs, List<String> finalizers, String path) {
    boolean orphan = false;
    boolean foreground = false;
    for (String f : list(finalizers)) {
      qualifiedName(errs, str(f), path);
      orphan |= "orphan".equals(f);
      foreground |= "foregroundDeletion".equals(f);
    }
    if (orphan && foreground) {
      errs.add(FieldError.invalid(path, GoValue.strings(finalizers),
          "finalizer orphan and foregroundDeletion cannot be both set"));
    }
  }

  /** core's {@code validateKubeFinalizerName}: a name without a domain must be a standard one. */
  static void kubeFinalizerName(List<FieldError> errs, String name, String path) {
    if (NameRules.isQualifiedName(str(name)).isEmpty() && !str(name).contains("/")
        && !STANDARD_FINALIZERS.contains(name)) {
      errs.add(FieldError.invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }

  private static void managedFields(List<FieldError> errs, List<ManagedFieldsEntry> entries, String path) {
    List<ManagedFieldsEntry> l = list(entries);
    for (int i = 0; i < l.size(); i++) {
      ManagedFieldsEntry e = l.get(i);
      String p = index(path, i);
      if (!"Apply".equals(e.getOperation()) && !"Update".equals(e.getOperation())) {
        errs.add(FieldError.invalid(child(p, "operation"), str(e.getOperation()), "must be `Apply` or `Update`"));
      }
      if (!isEmpty(e.getFieldsType()) && !"FieldsV1".equals(e.getFieldsType())) {
        errs.add(FieldError.invalid(child(p, "fieldsType"), e.getFieldsType(), "must be `FieldsV1`"));
      }
    }
  }
}

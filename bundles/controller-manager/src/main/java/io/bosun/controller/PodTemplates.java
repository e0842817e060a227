package io.bosun.controller;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.regex.Pattern;

/** Pods made from templates, as upstream's {@code GetPodFromTemplate}. */
public final class PodTemplates {

  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private PodTemplates() {
  }

  /**
   * A new pod (not yet created) from {@code template}: its labels, annotations and finalizers
   * copied, its spec deep-copied, {@code generateName} {@code <ownerName>-}, in {@code namespace},
   * with {@code controllerRef} (if not null) as its only owner reference. Set {@code name} on the
   * result for a fixed name (StatefulSets).
   */
  public static Pod podFromTemplate(PodTemplateSpec template, String namespace, String ownerName,
      OwnerReference controllerRef) {
    ObjectMeta tm = template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
    ObjectMeta meta = new ObjectMeta()
        .withNamespace(namespace)
        .withGenerateName(generateNamePrefix(ownerName))
        .withLabels(tm.getLabels() == null ? new HashMap<>() : new HashMap<>(tm.getLabels()));
    if (tm.getAnnotations() != null && !tm.getAnnotations().isEmpty()) {
      meta.setAnnotations(new HashMap<>(tm.getAnnotations()));
    }
    if (tm.getFinalizers() != null && !tm.getFinalizers().isEmpty()) {
      meta.setFinalizers(new ArrayList<>(tm.getFinalizers()));
    }
    if (controllerRef != null) {
      meta.setOwnerReferences(new ArrayList<>(List.of(controllerRef.deepCopy())));
    }
    PodSpec spec = template.getSpec() == null ? new PodSpec() : template.getSpec().deepCopy();
    return new Pod().withMetadata(meta).withSpec(spec);
  }

  /** {@code name-} if that is a valid generateName prefix, else {@code name} (upstream's getPodsPrefix). */
  static String generateNamePrefix(String ownerName) {
    String prefix = ownerName + "-";
    // A pod name prefix must be a DNS subdomain once the random suffix is appended.
    String probe = prefix + "a";
    return probe.length() <= 253 && DNS_SUBDOMAIN.matcher(probe).matches() ? prefix : ownerName;
  }
}

package io.bosun.controllers.apps.history;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.apps.v1.ControllerRevision;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.Hashing;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * ControllerRevisions of DaemonSets and StatefulSets, as upstream's {@code controller/history}
 * and the controllers' {@code getPatch}: a revision stores the owner's pod template as the
 * strategic merge patch {@code {"spec":{"template":{..., "$patch":"replace"}}}}, which
 * {@code kubectl rollout undo} applies back and {@code kubectl rollout history} prints.
 * Thread-safe.
 */
public final class Revisions {

  /** The label carrying a revision's hash on revisions and pods. */
  public static final String HASH_LABEL = "controller-revision-hash";

  /** Oldest revision first; by name among equals. */
  public static final Comparator<ControllerRevision> BY_REVISION = Comparator
      .comparing((ControllerRevision r) -> r.getRevision() == null ? 0L : r.getRevision())
      .thenComparing(r -> r.getMetadata().getName());

  private final ObjectMapper json = new ApiCodec().mapper();
  private final Semantic semantic = new Semantic();
  private final Hashing hashing = new Hashing();

  /** The revision data of a template: {@code {"spec":{"template":{...,"$patch":"replace"}}}}. */
  public JsonNode patch(PodTemplateSpec template) {
    ObjectNode root = json.createObjectNode();
    ObjectNode t = json.valueToTree(template);
    t.put("$patch", "replace");
    root.putObject("spec").set("template", t);
    return root;
  }

  /** Whether {@code revision} holds {@code template} (semantically, as upstream's byte comparison intends). */
  public boolean matches(ControllerRevision revision, PodTemplateSpec template) {
    return revision.getData() != null && semantic.normalized(revision.getData()).equals(semantic.normalized(patch(template)));
  }

  /** The template a revision holds; null if its data has none. */
  public PodTemplateSpec template(ControllerRevision revision) {
    JsonNode t = revision.getData() == null ? null : revision.getData().path("spec").get("template");
    if (!(t instanceof ObjectNode o)) {
      return null;
    }
    ObjectNode copy = o.deepCopy();
    copy.remove("$patch");
    return json.convertValue(copy, PodTemplateSpec.class);
  }

  /** The hash naming a revision of {@code template} ({@code <owner>-<hash>}). */
  public String hash(PodTemplateSpec template, Integer collisionCount) {
    return hashing.computeHash(template, collisionCount);
  }

  /**
   * A new revision (not yet created) of {@code owner}'s {@code template}: named
   * {@code <owner>-<hash>}, labelled with the template's labels and the hash, controlled by the owner.
   */
  public ControllerRevision newRevision(KubernetesObject owner, PodTemplateSpec template, long revision,
      Integer collisionCount) {
    String hash = hash(template, collisionCount);
    Map<String, String> labels = new HashMap<>();
    if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
      labels.putAll(template.getMetadata().getLabels());
    }
    labels.put(HASH_LABEL, hash);
    ObjectMeta meta = new ObjectMeta().withName(owner.getMetadata().getName() + "-" + hash)
        .withNamespace(owner.getMetadata().getNamespace()).withLabels(labels)
        .withOwnerReferences(new ArrayList<>(List.of(ControllerRefs.newControllerRef(owner))));
    if (owner.getMetadata().getAnnotations() != null && !owner.getMetadata().getAnnotations().isEmpty()) {
      meta.setAnnotations(new HashMap<>(owner.getMetadata().getAnnotations()));
    }
    return new ControllerRevision().withMetadata(meta).withData(patch(template)).withRevision(revision);
  }

  /** The highest revision number; 0 for none. */
  public static long maxRevision(List<ControllerRevision> revisions) {
    long max = 0;
    for (ControllerRevision r : revisions) {
      max = Math.max(max, r.getRevision() == null ? 0 : r.getRevision());
    }
    return max;
  }

  /** The hash label of a revision (its name when unlabelled, as upstream's constructHistory assumes). */
  public static String hashOf(ControllerRevision r) {
    Map<String, String> l = r.getMetadata().getLabels();
    String h = l == null ? null : l.get(HASH_LABEL);
    return h == null ? r.getMetadata().getName() : h;
  }
}

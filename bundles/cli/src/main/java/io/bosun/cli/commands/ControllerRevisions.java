package io.bosun.cli.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.Cli;
import io.bosun.cli.Selectors;
import io.bosun.cli.Targets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The history of DaemonSets and StatefulSets as kubectl reads it: the apps/v1 ControllerRevisions
 * their controllers write, each holding the owner's pod template as the strategic merge patch
 * {@code {"spec":{"template":{..., "$patch":"replace"}}}}. kubectl's {@code controlledHistory},
 * {@code findHistory}, {@code daemonSetMatch}/{@code statefulsetMatch} and the rollback patch.
 */
final class ControllerRevisions {

  private ControllerRevisions() {}

  /**
   * The revisions controlled by {@code owner} among those its selector matches, oldest first (by
   * revision number, then name). Reads the API; throws its errors.
   */
  static List<ObjectNode> of(Cli cli, ObjectNode owner) {
    String uid = owner.path("metadata").path("uid").asText();
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode r : Targets.list(cli, cli.kinds().resolve("controllerrevisions.apps"),
        owner.path("metadata").path("namespace").asText(cli.namespace()),
        Selectors.of(owner.path("spec").path("selector")), null)) {
      for (JsonNode ref : r.path("metadata").path("ownerReferences")) {
        if (ref.path("uid").asText().equals(uid) && ref.path("controller").asBoolean(false)) {
          out.add(r);
          break;
        }
      }
    }
    out.sort(Comparator.comparingLong(ControllerRevisions::revision)
        .thenComparing(r -> r.path("metadata").path("name").asText()));
    return out;
  }

  static long revision(JsonNode revision) {
    return revision.path("revision").asLong(0);
  }

  /**
   * kubectl's findHistory: the revision numbered {@code to}, or for 0 the second newest; null when
   * there is none. {@code history} is oldest first.
   */
  static ObjectNode find(List<ObjectNode> history, long to) {
    if (to == 0) {
      return history.size() <= 1 ? null : history.get(history.size() - 2);
    }
    for (ObjectNode r : history) {
      if (revision(r) == to) {
        return r;
      }
    }
    return null;
  }

  /**
   * The pod template a revision restores (its data applied to the owner: the data replaces the
   * template wholesale); null when the data holds none.
   */
  static JsonNode template(JsonNode revision) {
    JsonNode t = revision.path("data").path("spec").path("template");
    if (!(t instanceof ObjectNode o)) {
      return null;
    }
    ObjectNode copy = o.deepCopy();
    copy.remove("$patch");
    return copy;
  }

  /** The patch a controller stores for {@code owner}'s current template (kubectl's getPatch). */
  static ObjectNode patchOf(JsonNode owner) {
    ObjectNode template = owner.path("spec").path("template") instanceof ObjectNode t ? t.deepCopy()
        : JsonNodeFactory.instance.objectNode();
    template.put("$patch", "replace");
    ObjectNode root = template.objectNode();
    root.putObject("spec").set("template", template);
    return root;
  }

  /**
   * Whether the owner's template already is the revision's. kubectl compares the bytes of both
   * patches; this compares them semantically (absent, null, empty list and empty map alike), as the
   * controllers match templates to revisions, so a template that went through a client that drops
   * empty fields still matches.
   */
  static boolean matches(JsonNode owner, JsonNode revision) {
    JsonNode data = revision.path("data");
    return data.isObject() && pruned(data.deepCopy()).equals(pruned(patchOf(owner)));
  }

  /**
   * The strategic merge patch restoring a revision: its data, as kubectl sends it, plus the
   * owner's resourceVersion as a precondition, so a change made since the owner was read fails the
   * rollback rather than being overwritten.
   */
  static ObjectNode rollbackPatch(JsonNode owner, JsonNode revision) {
    ObjectNode patch = revision.path("data").deepCopy();
    patch.putObject("metadata").put("resourceVersion", owner.path("metadata").path("resourceVersion").asText());
    return patch;
  }

  /** Removes nulls, empty lists and empty maps, recursively; null when nothing is left. */
  private static JsonNode pruned(JsonNode node) {
    if (node instanceof ObjectNode o) {
      for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = pruned(e.getValue());
        if (v == null) {
          it.remove();
        } else {
          e.setValue(v);
        }
      }
      return o.isEmpty() ? null : o;
    }
    if (node instanceof ArrayNode a) {
      ArrayNode out = a.arrayNode();
      for (JsonNode item : a) {
        JsonNode v = pruned(item);
        out.add(v == null ? a.nullNode() : v);
      }
      return out.isEmpty() ? null : out;
    }
    return node == null || node.isNull() || node.isMissingNode() ? null : node;
  }
}

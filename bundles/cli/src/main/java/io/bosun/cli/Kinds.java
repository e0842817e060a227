package io.bosun.cli;

import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The served kinds (from the model the API server serves) and kubectl's ways of naming them:
 * plural, singular, kind, short name, each optionally qualified by group ({@code deployments.apps}),
 * and categories ({@code all}).
 */
public final class Kinds {

  private final List<KindInfo> kinds;

  public Kinds(ApiSchema schema) {
    this.kinds = schema.kinds();
  }

  public List<KindInfo> all() {
    return kinds;
  }

  /**
   * The kind a user's word names.
   *
   * @throws CliException with kubectl's message when nothing matches
   */
  public KindInfo resolve(String word) {
    String w = word.toLowerCase(Locale.ROOT);
    String group = null;
    int dot = w.indexOf('.');
    if (dot > 0) {
      group = w.substring(dot + 1);
      w = w.substring(0, dot);
    }
    // A group may be given with a version (deployments.v1.apps), as kubectl allows.
    if (group != null && group.matches("v\\d+[a-z0-9]*(\\..+)?")) {
      int d = group.indexOf('.');
      group = d < 0 ? "" : group.substring(d + 1);
    }
    KindInfo best = null;
    for (KindInfo k : kinds) {
      if (group != null && !k.group().equals(group)) {
        continue;
      }
      if (k.plural().equals(w) || k.singular().equals(w) || k.kind().toLowerCase(Locale.ROOT).equals(w)
          || k.shortNames().contains(w)) {
        // The core group wins over others with the same name (events), as kubectl's priority does.
        if (best == null || (k.group().isEmpty() && !best.group().isEmpty())) {
          best = k;
        }
      }
    }
    if (best == null) {
      throw new CliException("the server doesn't have a resource type \"" + word + "\" (try `bosun api-resources`)");
    }
    return best;
  }

  /** Kinds in a category such as {@code all}, or empty when {@code word} is not one. */
  public List<KindInfo> category(String word) {
    List<KindInfo> out = new ArrayList<>();
    for (KindInfo k : kinds) {
      if (k.categories().contains(word) && k.verbs().isEmpty() || k.categories().contains(word) && k.verbs().contains("list")) {
        out.add(k);
      }
    }
    return out;
  }

  /** The kind of {@code apiVersion}/{@code kind} as written in a manifest. */
  public KindInfo forManifest(String apiVersion, String kind) {
    for (KindInfo k : kinds) {
      if (k.apiVersion().equals(apiVersion) && k.kind().equals(kind)) {
        return k;
      }
    }
    throw new CliException("no matches for kind \"" + kind + "\" in version \"" + apiVersion + "\"");
  }

  /** {@code pod}, {@code deployment.apps}: how kubectl names a kind in {@code -o name} output. */
  public static String qualifiedName(KindInfo k) {
    String lower = k.kind().toLowerCase(Locale.ROOT);
    return k.group().isEmpty() ? lower : lower + "." + k.group();
  }

  /** The collection path: {@code /api/v1/namespaces/ns/pods}, or all namespaces when {@code ns} is null. */
  public static String path(KindInfo k, String namespace) {
    String base = k.group().isEmpty() ? "/api/" + k.version() : "/apis/" + k.group() + "/" + k.version();
    if (k.namespaced() && namespace != null && !namespace.isEmpty()) {
      base += "/namespaces/" + namespace;
    }
    return base + "/" + k.plural();
  }

  /** An object's path. */
  public static String path(KindInfo k, String namespace, String name) {
    return path(k, namespace) + "/" + name;
  }
}

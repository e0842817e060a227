package io.bosun.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import io.bosun.cli.http.Api;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kubectl's ways of naming objects on the command line: {@code TYPE}, {@code TYPE NAME...},
 * {@code TYPE1,TYPE2}, {@code TYPE/NAME...}, and categories ({@code all}).
 */
public final class Targets {

  /** One kind and the names asked for (empty: every object of the kind). */
  public record Target(KindInfo kind, List<String> names) {}

  private Targets() {}

  /** Parses the arguments; requires at least a type. */
  public static List<Target> parse(Kinds kinds, List<String> args) {
    if (args == null || args.isEmpty()) {
      throw new CliException("you must specify the type of resource, such as pods, deployments or nodes"
          + " (`bosun api-resources` lists them)", 2, null);
    }
    Map<String, Target> byKind = new LinkedHashMap<>();
    if (args.get(0).contains("/")) {
      for (String a : args) {
        int slash = a.indexOf('/');
        if (slash <= 0 || slash == a.length() - 1) {
          throw new CliException("there is no need to specify a resource type as a separate argument when passing"
              + " arguments in resource/name form (e.g. 'bosun get resource/<resource_name>' instead of"
              + " 'bosun get resource resource/<resource_name>'", 2, null);
        }
        KindInfo k = kinds.resolve(a.substring(0, slash));
        byKind.computeIfAbsent(key(k), x -> new Target(k, new ArrayList<>())).names().add(a.substring(slash + 1));
      }
      return new ArrayList<>(byKind.values());
    }
    List<KindInfo> types = new ArrayList<>();
    for (String word : args.get(0).split(",")) {
      List<KindInfo> category = kinds.category(word);
      if (!category.isEmpty()) {
        types.addAll(category);
      } else {
        types.add(kinds.resolve(word));
      }
    }
    List<String> names = args.subList(1, args.size());
    for (String n : names) {
      if (n.contains("/")) {
        throw new CliException("arguments in resource/name form must have a single resource and name", 2, null);
      }
    }
    if (!names.isEmpty() && types.size() > 1) {
      for (KindInfo k : types) {
        byKind.put(key(k), new Target(k, new ArrayList<>(names)));
      }
    } else {
      for (KindInfo k : types) {
        byKind.put(key(k), new Target(k, new ArrayList<>(names)));
      }
    }
    return new ArrayList<>(byKind.values());
  }

  private static String key(KindInfo k) {
    return k.group() + "/" + k.plural();
  }

  /** Reads one object; throws the server's NotFound. */
  public static ObjectNode get(Cli cli, KindInfo k, String namespace, String name) {
    JsonNode o = cli.api().get(Kinds.path(k, k.namespaced() ? namespace : null, name));
    return withType((ObjectNode) o, k);
  }

  /** Lists objects with selectors; {@code namespace} null for all namespaces. */
  public static List<ObjectNode> list(Cli cli, KindInfo k, String namespace, String labelSelector,
      String fieldSelector) {
    JsonNode list = cli.api().get(Kinds.path(k, k.namespaced() ? namespace : null)
        + Api.query("labelSelector", labelSelector, "fieldSelector", fieldSelector));
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode item : list.path("items")) {
      out.add(withType((ObjectNode) item, k));
    }
    return out;
  }

  /** Sets apiVersion and kind, which list items lack, as kubectl does before printing. */
  public static ObjectNode withType(ObjectNode o, KindInfo k) {
    if (!o.has("apiVersion") || !o.has("kind")) {
      ObjectNode copy = o.objectNode();
      copy.put("apiVersion", k.apiVersion());
      copy.put("kind", k.kind());
      copy.setAll(o);
      return copy;
    }
    return o;
  }

  /** {@code deployment.apps/web}. */
  public static String ref(KindInfo k, String name) {
    return Kinds.qualifiedName(k) + "/" + name;
  }
}

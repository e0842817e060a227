package io.bosun.scheduler.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.bosun.scheduler.spi.ExtensionPoint;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads profiles and policies from YAML or JSON text (JSON is YAML), in the shape of upstream's
 * {@code KubeSchedulerConfiguration} profiles. Unknown fields are errors, so typos do not pass
 * silently. Thread-safe.
 *
 * <p>Profiles: a list of profiles, or an object with a {@code profiles} list (a pasted
 * {@code KubeSchedulerConfiguration} works; its {@code apiVersion}/{@code kind} are ignored).
 * Policies: an object mapping a policy name to a profile body without {@code schedulerName}.
 */
public final class ConfigParser {

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Set<String> PROFILE_FIELDS =
      Set.of("schedulerName", "policy", "percentageOfNodesToScore", "plugins", "pluginConfig");
  private static final Set<String> DOCUMENT_FIELDS = Set.of("apiVersion", "kind", "profiles", "policies");

  private ConfigParser() {
  }

  /** Parses YAML or JSON text into a tree; blank text is null. */
  public static JsonNode tree(String text, String what) throws ConfigException {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new ConfigException(what + ": not valid YAML/JSON: " + e.getOriginalMessage());
    }
  }

  /** The profiles in {@code text}; null if the text is blank. */
  public static List<ProfileSpec> profiles(String text, String what) throws ConfigException {
    JsonNode root = tree(text, what);
    if (root == null || root.isNull() || root.isMissingNode()) {
      return null;
    }
    JsonNode list = root;
    if (root.isObject()) {
      checkFields(root, DOCUMENT_FIELDS, what);
      list = root.get("profiles");
      if (list == null) {
        throw new ConfigException(what + ": expected a list of profiles or an object with 'profiles'");
      }
    }
    if (!list.isArray()) {
      throw new ConfigException(what + ": profiles must be a list");
    }
    List<ProfileSpec> out = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      out.add(profile(list.get(i), what + ": profiles[" + i + "]", true));
    }
    return out;
  }

  /** Policies embedded in a profiles document ({@code policies:} next to {@code profiles:}), or null. */
  public static Map<String, ProfileSpec> embeddedPolicies(String text, String what) throws ConfigException {
    JsonNode root = tree(text, what);
    if (root == null || !root.isObject() || root.get("policies") == null) {
      return null;
    }
    return policies(root.get("policies"), what + ": policies");
  }

  /** The policies in {@code text}, by name; null if the text is blank. */
  public static Map<String, ProfileSpec> policies(String text, String what) throws ConfigException {
    JsonNode root = tree(text, what);
    if (root == null || root.isNull()) {
      return null;
    }
    return policies(root, what);
  }

  private static Map<String, ProfileSpec> policies(JsonNode root, String what) throws ConfigException {
    if (!root.isObject()) {
      throw new ConfigException(what + ": policies must be an object of name: policy");
    }
    Map<String, ProfileSpec> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      out.put(e.getKey(), profile(e.getValue(), what + ": " + e.getKey(), false));
    }
    return out;
  }

  static ProfileSpec profile(JsonNode node, String where, boolean isProfile) throws ConfigException {
    if (node == null || node.isNull()) {
      node = JsonNodeFactory.instance.objectNode();
    }
    if (!node.isObject()) {
      throw new ConfigException(where + ": must be an object");
    }
    checkFields(node, PROFILE_FIELDS, where);
    String schedulerName = text(node, "schedulerName", where);
    if (isProfile && (schedulerName == null || schedulerName.isBlank())) {
      schedulerName = "default-scheduler";
    }
    if (!isProfile && schedulerName != null) {
      throw new ConfigException(where + ": a policy has no schedulerName");
    }
    String policy = text(node, "policy", where);
    Integer pct = null;
    JsonNode p = node.get("percentageOfNodesToScore");
    if (p != null && !p.isNull()) {
      if (!p.canConvertToInt() || !p.isIntegralNumber() || p.asInt() < 0 || p.asInt() > 100) {
        throw new ConfigException(where + ": percentageOfNodesToScore must be an integer from 0 to 100");
      }
      pct = p.asInt();
    }
    Map<String, PluginSet> plugins = new LinkedHashMap<>();
    JsonNode pl = node.get("plugins");
    if (pl != null && !pl.isNull()) {
      if (!pl.isObject()) {
        throw new ConfigException(where + ".plugins: must be an object");
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = pl.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getKey().equals(ProfileSpec.MULTI_POINT) && ExtensionPoint.forConfigKey(e.getKey()) == null) {
          throw new ConfigException(where + ".plugins: unknown extension point " + e.getKey() + " (known: multiPoint, "
              + String.join(", ", java.util.Arrays.stream(ExtensionPoint.values()).map(ExtensionPoint::configKey).toList())
              + ")");
        }
        plugins.put(e.getKey(), pluginSet(e.getValue(), where + ".plugins." + e.getKey()));
      }
    }
    Map<String, JsonNode> args = new LinkedHashMap<>();
    JsonNode pc = node.get("pluginConfig");
    if (pc != null && !pc.isNull()) {
      if (!pc.isArray()) {
        throw new ConfigException(where + ".pluginConfig: must be a list of {name, args}");
      }
      for (int i = 0; i < pc.size(); i++) {
        String at = where + ".pluginConfig[" + i + "]";
        JsonNode entry = pc.get(i);
        if (!entry.isObject()) {
          throw new ConfigException(at + ": must be an object {name, args}");
        }
        checkFields(entry, Set.of("name", "args"), at);
        String name = text(entry, "name", at);
        if (name == null || name.isBlank()) {
          throw new ConfigException(at + ".name: required");
        }
        if (args.containsKey(name)) {
          throw new ConfigException(at + ": duplicate pluginConfig for " + name);
        }
        JsonNode a = entry.get("args");
        if (a == null || a.isNull()) {
          a = JsonNodeFactory.instance.objectNode();
        }
        if (!a.isObject()) {
          throw new ConfigException(at + ".args: must be an object");
        }
        args.put(name, a);
      }
    }
    return new ProfileSpec(schedulerName, policy, pct, plugins, args);
  }

  private static PluginSet pluginSet(JsonNode node, String where) throws ConfigException {
    if (node == null || node.isNull()) {
      return PluginSet.EMPTY;
    }
    if (!node.isObject()) {
      throw new ConfigException(where + ": must be an object {enabled, disabled}");
    }
    checkFields(node, Set.of("enabled", "disabled"), where);
    List<PluginRef> enabled = new ArrayList<>();
    for (JsonNode e : list(node.get("enabled"), where + ".enabled")) {
      enabled.add(pluginRef(e, where + ".enabled", true));
    }
    List<String> disabled = new ArrayList<>();
    for (JsonNode e : list(node.get("disabled"), where + ".disabled")) {
      disabled.add(pluginRef(e, where + ".disabled", false).name());
    }
    return new PluginSet(enabled, disabled);
  }

  private static PluginRef pluginRef(JsonNode e, String where, boolean weighted) throws ConfigException {
    if (e.isTextual()) {
      return new PluginRef(e.asText(), 0);
    }
    if (!e.isObject()) {
      throw new ConfigException(where + ": entries are {name, weight} or a plugin name");
    }
    checkFields(e, weighted ? Set.of("name", "weight") : Set.of("name"), where);
    String name = text(e, "name", where);
    if (name == null || name.isBlank()) {
      throw new ConfigException(where + ": name is required");
    }
    int weight = 0;
    JsonNode w = e.get("weight");
    if (w != null && !w.isNull()) {
      if (!w.isIntegralNumber() || !w.canConvertToInt() || w.asInt() < 0) {
        throw new ConfigException(where + ": weight of " + name + " must be a non-negative integer");
      }
      weight = w.asInt();
    }
    return new PluginRef(name, weight);
  }

  private static List<JsonNode> list(JsonNode n, String where) throws ConfigException {
    if (n == null || n.isNull()) {
      return List.of();
    }
    if (!n.isArray()) {
      throw new ConfigException(where + ": must be a list");
    }
    List<JsonNode> out = new ArrayList<>();
    n.forEach(out::add);
    return out;
  }

  private static String text(JsonNode node, String field, String where) throws ConfigException {
    JsonNode n = node.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new ConfigException(where + "." + field + ": must be a string");
    }
    return n.asText();
  }

  private static void checkFields(JsonNode node, Set<String> known, String where) throws ConfigException {
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!known.contains(f)) {
        throw new ConfigException(where + ": unknown field " + f);
      }
    }
  }
}

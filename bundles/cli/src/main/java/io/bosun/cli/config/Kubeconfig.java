package io.bosun.cli.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bosun.cli.CliException;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * kubectl's kubeconfig files: found as kubectl finds them ({@code --kubeconfig}, else the
 * {@code KUBECONFIG} list, else {@code ~/.kube/config}) and merged as kubectl merges them (the
 * first file to define a name or the current context wins), so one file serves both tools.
 */
public final class Kubeconfig {

  static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).build())
      .build();

  private final List<Path> files;
  private final Map<String, JsonNode> clusters = new LinkedHashMap<>();
  private final Map<String, JsonNode> users = new LinkedHashMap<>();
  private final Map<String, JsonNode> contexts = new LinkedHashMap<>();
  private String currentContext;

  private Kubeconfig(List<Path> files) {
    this.files = files;
  }

  /**
   * The files kubectl would read.
   *
   * @param explicit {@code --kubeconfig}, or null
   * @param env      the environment ({@code KUBECONFIG}, {@code HOME})
   */
  public static List<Path> locate(String explicit, Map<String, String> env) {
    if (explicit != null && !explicit.isBlank()) {
      return List.of(Path.of(explicit));
    }
    String list = env.get("KUBECONFIG");
    if (list != null && !list.isBlank()) {
      List<Path> paths = new ArrayList<>();
      for (String p : list.split(File.pathSeparator)) {
        if (!p.isBlank()) {
          paths.add(Path.of(p));
        }
      }
      return paths;
    }
    return List.of(defaultFile(env));
  }

  /** {@code ~/.kube/config}. */
  public static Path defaultFile(Map<String, String> env) {
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    return Path.of(home, ".kube", "config");
  }

  /** Reads and merges the files that exist; missing files are skipped, as kubectl does. */
  public static Kubeconfig load(List<Path> paths) {
    Kubeconfig k = new Kubeconfig(paths);
    for (Path p : paths) {
      if (!Files.isRegularFile(p)) {
        continue;
      }
      JsonNode doc;
      try {
        doc = YAML.readTree(p.toFile());
      } catch (IOException e) {
        throw new CliException("cannot read kubeconfig " + p + ": " + e.getMessage(), e);
      }
      if (doc == null || !doc.isObject()) {
        continue;
      }
      merge(doc.path("clusters"), "cluster", k.clusters, p);
      merge(doc.path("users"), "user", k.users, p);
      merge(doc.path("contexts"), "context", k.contexts, p);
      if (k.currentContext == null && !doc.path("current-context").asText("").isEmpty()) {
        k.currentContext = doc.path("current-context").asText();
      }
    }
    return k;
  }

  private static void merge(JsonNode list, String field, Map<String, JsonNode> into, Path file) {
    for (JsonNode entry : list) {
      String name = entry.path("name").asText("");
      if (!name.isEmpty() && !into.containsKey(name)) {
        ObjectNode value = entry.path(field).isObject() ? ((ObjectNode) entry.path(field)).deepCopy()
            : JsonNodeFactory.instance.objectNode();
        value.put("$file", file.toString());
        into.put(name, value);
      }
    }
  }

  public String currentContext() {
    return currentContext;
  }

  public Map<String, JsonNode> contexts() {
    return contexts;
  }

  public List<Path> files() {
    return files;
  }

  /**
   * The connection of a context.
   *
   * @param contextName {@code --context}, or null for the current context
   * @param server      {@code --server}, or null
   * @return without any context or server: {@link Connection#DEFAULT_SERVER}, where {@code ./bosun up} listens
   */
  public Connection resolve(String contextName, String server) {
    String name = contextName != null && !contextName.isBlank() ? contextName : currentContext;
    if (contextName != null && !contextName.isBlank() && !contexts.containsKey(contextName)) {
      throw new CliException("context \"" + contextName + "\" does not exist in " + describeFiles()
          + " (contexts: " + String.join(", ", contexts.keySet()) + ")");
    }
    if (name == null || !contexts.containsKey(name)) {
      String s = server != null ? server : Connection.DEFAULT_SERVER;
      return new Connection(s, null, "default", null, false, null, null, null, null, null,
          server != null ? "--server" : "the default (no kubeconfig context)");
    }
    JsonNode ctx = contexts.get(name);
    String clusterName = ctx.path("cluster").asText("");
    JsonNode cluster = clusters.get(clusterName);
    if (cluster == null && server == null) {
      throw new CliException("context \"" + name + "\" names cluster \"" + clusterName + "\", which " + describeFiles()
          + " does not define");
    }
    JsonNode user = users.getOrDefault(ctx.path("user").asText(""), JsonNodeFactory.instance.objectNode());
    cluster = cluster == null ? JsonNodeFactory.instance.objectNode() : cluster;
    String url = server != null ? server : cluster.path("server").asText("");
    if (url.isEmpty()) {
      throw new CliException("cluster \"" + clusterName + "\" has no server URL in " + cluster.path("$file").asText());
    }
    String ns = ctx.path("namespace").asText("");
    String token = text(user, "token");
    if (token == null && text(user, "tokenFile") != null) {
      token = readFile(user, text(user, "tokenFile")).strip();
    }
    return new Connection(url, name, ns.isEmpty() ? "default" : ns,
        data(cluster, "certificate-authority-data", "certificate-authority"),
        cluster.path("insecure-skip-tls-verify").asBoolean(false), token, text(user, "username"),
        text(user, "password"), data(user, "client-certificate-data", "client-certificate"),
        data(user, "client-key-data", "client-key"), "context \"" + name + "\" of " + ctx.path("$file").asText());
  }

  private String describeFiles() {
    return files.size() == 1 ? files.get(0).toString() : files.toString();
  }

  private static String text(JsonNode node, String field) {
    String v = node.path(field).asText("");
    return v.isEmpty() ? null : v;
  }

  /** Inline base64 data, or the file it names (relative to the kubeconfig's folder). */
  private static String data(JsonNode node, String dataField, String fileField) {
    String inline = text(node, dataField);
    if (inline != null) {
      return new String(Base64.getMimeDecoder().decode(inline), StandardCharsets.UTF_8);
    }
    String file = text(node, fileField);
    return file == null ? null : readFile(node, file);
  }

  private static String readFile(JsonNode node, String file) {
    Path p = Path.of(file);
    if (!p.isAbsolute()) {
      Path dir = Path.of(node.path("$file").asText(".")).toAbsolutePath().getParent();
      p = dir.resolve(p);
    }
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new CliException("cannot read " + p + " named in kubeconfig: " + e.getMessage(), e);
    }
  }

  /**
   * Adds or updates a cluster, user and context named {@code name} in {@code file}, leaving every
   * other entry as it was; creates the file (mode 600) if needed. Comments are not kept.
   *
   * @param use also make it the current context
   * @return whether the file changed
   */
  public static boolean writeContext(Path file, String name, String server, String namespace, boolean use) {
    ObjectNode doc;
    try {
      JsonNode read = Files.isRegularFile(file) ? YAML.readTree(file.toFile()) : null;
      doc = read instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    } catch (IOException e) {
      throw new CliException("cannot read kubeconfig " + file + ": " + e.getMessage(), e);
    }
    String before = doc.toString();
    if (!doc.has("apiVersion")) {
      doc.put("apiVersion", "v1");
    }
    if (!doc.has("kind")) {
      doc.put("kind", "Config");
    }
    upsert(doc, "clusters", name, "cluster").put("server", server);
    // An empty user: kubectl needs the entry; a local runtime asks for no credentials.
    upsert(doc, "users", name, "user");
    ObjectNode ctx = upsert(doc, "contexts", name, "context");
    ctx.put("cluster", name);
    ctx.put("user", name);
    if (namespace != null) {
      ctx.put("namespace", namespace);
    } else if (!ctx.has("namespace")) {
      ctx.put("namespace", "default");
    }
    if (use || doc.path("current-context").asText("").isEmpty()) {
      doc.put("current-context", name);
    }
    if (!doc.has("preferences")) {
      doc.putObject("preferences");
    }
    if (doc.toString().equals(before)) {
      return false;
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, ".kubeconfig-", ".tmp");
      try {
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
          // not a POSIX file system
        }
        Files.write(tmp, YAML.writeValueAsBytes(doc));
        try {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new CliException("cannot write kubeconfig " + file + ": " + e.getMessage(), e);
    }
    return true;
  }

  /** Sets the current context of the first file that defines {@code name}. */
  public static Path useContext(List<Path> files, String name) {
    for (Path f : files) {
      try {
        if (!Files.isRegularFile(f)) {
          continue;
        }
        JsonNode read = YAML.readTree(f.toFile());
        if (read instanceof ObjectNode doc) {
          for (JsonNode c : doc.path("contexts")) {
            if (name.equals(c.path("name").asText())) {
              doc.put("current-context", name);
              Files.write(f, YAML.writeValueAsBytes(doc));
              return f;
            }
          }
        }
      } catch (IOException e) {
        throw new CliException("cannot update kubeconfig " + f + ": " + e.getMessage(), e);
      }
    }
    throw new CliException("no context exists with the name: \"" + name + "\"");
  }

  /** The {@code field} object of the {@code name} entry of list {@code list}, created when missing. */
  private static ObjectNode upsert(ObjectNode doc, String list, String name, String field) {
    ArrayNode items = doc.path(list).isArray() ? (ArrayNode) doc.get(list) : doc.putArray(list);
    for (Iterator<JsonNode> it = items.elements(); it.hasNext(); ) {
      JsonNode e = it.next();
      if (name.equals(e.path("name").asText()) && e instanceof ObjectNode o) {
        return o.path(field).isObject() ? (ObjectNode) o.get(field) : o.putObject(field);
      }
    }
    ObjectNode entry = items.addObject();
    entry.put("name", name);
    return entry.putObject(field);
  }
}

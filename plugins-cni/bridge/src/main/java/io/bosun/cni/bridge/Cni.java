package io.bosun.cni.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs CNI plugins as the CNI spec says: the command and its arguments in the environment
 * ({@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME},
 * {@code CNI_ARGS}, {@code CNI_PATH}), the network configuration on stdin, the result (or an
 * error document) on stdout. A configuration list runs its plugins in order for ADD, each
 * getting the previous result as {@code prevResult}, and in reverse for DEL.
 */
final class Cni {

  /** Where the plugins are and how long one may run. */
  record Env(List<Path> pluginDirs, long timeoutSeconds) {
  }

  /** One invocation's identity. */
  record Call(String containerId, Path netns, String ifName, String args) {
  }

  private static final String SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final ObjectMapper json;
  private final Env env;

  Cni(ObjectMapper json, Env env) {
    this.json = json;
    this.env = env;
  }

  /** The plugin executable named {@code type}; empty if none of the plugin folders has it. */
  Optional<Path> find(String type) {
    if (type.contains("/") || type.isEmpty()) {
      return Optional.empty();
    }
    for (Path dir : env.pluginDirs()) {
      Path p = dir.resolve(type);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * ADD through a configuration list.
   *
   * @param runtimeConfig values for plugins that declare the matching capability ({@code portMappings} ...)
   * @return the last plugin's result
   */
  JsonNode addList(JsonNode conflist, Call call, Map<String, JsonNode> runtimeConfig) throws IOException {
    JsonNode prev = null;
    List<JsonNode> done = new ArrayList<>();
    try {
      for (JsonNode plugin : conflist.path("plugins")) {
        ObjectNode conf = pluginConf(conflist, plugin, runtimeConfig, prev);
        prev = exec("ADD", conf, call);
        done.add(plugin);
      }
    } catch (IOException | RuntimeException e) {
      // Undo the plugins that succeeded, so nothing is left half attached.
      for (int i = done.size() - 1; i >= 0; i--) {
        try {
          exec("DEL", pluginConf(conflist, done.get(i), runtimeConfig, prev), call);
        } catch (IOException | RuntimeException ignored) {
          // the original failure is what matters
        }
      }
      throw e;
    }
    if (prev == null) {
      throw new IOException("the network configuration " + conflist.path("name").asText() + " has no plugins");
    }
    return prev;
  }

  /**
   * DEL through a configuration list, in reverse order, each plugin given the cached ADD result.
   * Keeps going after a failure and reports the first.
   */
  void delList(JsonNode conflist, Call call, Map<String, JsonNode> runtimeConfig, JsonNode cachedResult)
      throws IOException {
    List<JsonNode> plugins = new ArrayList<>();
    conflist.path("plugins").forEach(plugins::add);
    IOException first = null;
    for (int i = plugins.size() - 1; i >= 0; i--) {
      try {
        exec("DEL", pluginConf(conflist, plugins.get(i), runtimeConfig, cachedResult), call);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** A single plugin configuration (not a list): ADD or DEL. */
  JsonNode exec(String command, ObjectNode conf, Call call) throws IOException {
    String type = conf.path("type").asText("");
    Path plugin = find(type).orElseThrow(() -> new IOException("CNI plugin \"" + type + "\" not found in "
        + env.pluginDirs()));
    ProcessBuilder pb = new ProcessBuilder(plugin.toString());
    Map<String, String> e = pb.environment();
    e.clear();
    e.put("PATH", SAFE_PATH); // plugins run iptables, ip, modprobe
    e.put("CNI_COMMAND", command);
    e.put("CNI_CONTAINERID", call.containerId());
    e.put("CNI_NETNS", call.netns().toString());
    e.put("CNI_IFNAME", call.ifName());
    e.put("CNI_ARGS", call.args());
    e.put("CNI_PATH", String.join(":", env.pluginDirs().stream().map(Path::toString).toList()));
    pb.redirectErrorStream(false);
    Process p = pb.start();
    byte[] stdin = json.writeValueAsBytes(conf);
    byte[][] out = new byte[2][];
    Thread errReader = Thread.ofVirtual().name("bosun-cni-stderr").start(() -> out[1] = readQuietly(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(stdin);
    } catch (IOException ignored) {
      // a plugin that exits without reading stdin reports on stdout
    }
    Thread outReader = Thread.ofVirtual().name("bosun-cni-stdout").start(() -> out[0] = readQuietly(p.getInputStream()));
    try {
      if (!p.waitFor(env.timeoutSeconds(), TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("CNI plugin " + type + " " + command + " timed out after " + env.timeoutSeconds() + " s");
      }
      outReader.join(5000);
      errReader.join(5000);
    } catch (InterruptedException ie) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running CNI plugin " + type, ie);
    }
    String stdout = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8).trim();
    String stderr = out[1] == null ? "" : new String(out[1], StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      String why = stdout;
      try {
        JsonNode n = json.readTree(stdout);
        if (n != null && n.has("msg")) {
          why = CniResult.error(n);
        }
      } catch (IOException ignored) {
        // not JSON: report it as text
      }
      throw new IOException("CNI plugin " + type + " " + command + " failed (exit " + p.exitValue() + "): " + why
          + (stderr.isEmpty() ? "" : " " + stderr));
    }
    if (!command.equals("ADD") || stdout.isEmpty()) {
      return json.createObjectNode();
    }
    return json.readTree(stdout);
  }

  private ObjectNode pluginConf(JsonNode conflist, JsonNode plugin, Map<String, JsonNode> runtimeConfig,
      JsonNode prev) {
    ObjectNode conf = plugin.deepCopy();
    conf.put("cniVersion", conflist.path("cniVersion").asText("1.0.0"));
    conf.put("name", conflist.path("name").asText("bosun"));
    ObjectNode rc = null;
    JsonNode caps = plugin.path("capabilities");
    for (Map.Entry<String, JsonNode> e : runtimeConfig.entrySet()) {
      if (caps.path(e.getKey()).asBoolean(false)) {
        rc = rc == null ? json.createObjectNode() : rc;
        rc.set(e.getKey(), e.getValue());
      }
    }
    if (rc != null) {
      conf.set("runtimeConfig", rc);
    }
    if (prev != null && !prev.isEmpty()) {
      conf.set("prevResult", prev);
    }
    return conf;
  }

  private static byte[] readQuietly(InputStream in) {
    try (in) {
      return in.readNBytes(1024 * 1024);
    } catch (IOException e) {
      return new byte[0];
    }
  }
}

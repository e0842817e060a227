package io.bosun.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.bosun.api.schema.KindInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Reads manifests as {@code -f} names them: files, directories ({@code .yaml}, {@code .yml},
 * {@code .json}; with {@code -R} recursively) or {@code -} for stdin; multi-document YAML and
 * {@code kind: List} are split into objects.
 */
public final class Manifests {

  /** One object from a manifest, with its kind, the namespace it goes to and where it came from. */
  public record Manifest(ObjectNode object, KindInfo kind, String namespace, String source) {

    public String name() {
      return object.path("metadata").path("name").asText("");
    }

    /** {@code deployment.apps/web}. */
    public String ref() {
      return Targets.ref(kind, name());
    }
  }

  private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory()).build();

  private Manifests() {}

  public static List<Manifest> read(Cli cli, List<String> files, boolean recursive) {
    if (files == null || files.isEmpty()) {
      throw new CliException("must specify one of -f and -k (only -f is supported): -f FILE|DIR|-", 2, null);
    }
    List<Manifest> out = new ArrayList<>();
    for (String f : files) {
      if (f.equals("-")) {
        try {
          parse(cli, cli.in().readAllBytes(), "stdin", out);
        } catch (IOException e) {
          throw new CliException("cannot read stdin: " + e.getMessage(), e);
        }
        continue;
      }
      Path p = Path.of(f);
      if (Files.isDirectory(p)) {
        try (Stream<Path> s = recursive ? Files.walk(p) : Files.list(p)) {
          List<Path> found = s.filter(Files::isRegularFile).filter(x -> {
            String n = x.getFileName().toString();
            return n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json");
          }).sorted().toList();
          for (Path x : found) {
            parse(cli, Files.readAllBytes(x), x.toString(), out);
          }
        } catch (IOException e) {
          throw new CliException("cannot read " + p + ": " + e.getMessage(), e);
        }
      } else if (Files.isRegularFile(p)) {
        try {
          parse(cli, Files.readAllBytes(p), p.toString(), out);
        } catch (IOException e) {
          throw new CliException("cannot read " + p + ": " + e.getMessage(), e);
        }
      } else {
        throw new CliException("the path \"" + f + "\" does not exist");
      }
    }
    if (out.isEmpty()) {
      throw new CliException("no objects passed to apply (the files hold no documents)");
    }
    return out;
  }

  private static void parse(Cli cli, byte[] data, String source, List<Manifest> out) {
    try (JsonParser parser = YAML.getFactory().createParser(data);
         MappingIterator<JsonNode> docs = YAML.readValues(parser, JsonNode.class)) {
      int index = 0;
      while (docs.hasNextValue()) {
        JsonNode doc = docs.nextValue();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
          continue;
        }
        add(cli, doc, source + (index > 1 ? " (document " + index + ")" : ""), out);
      }
    } catch (IOException e) {
      throw new CliException("error parsing " + source + ": " + firstLine(e.getMessage()), e);
    }
  }

  private static void add(Cli cli, JsonNode doc, String source, List<Manifest> out) {
    if (!(doc instanceof ObjectNode o)) {
      throw new CliException("error validating " + source + ": a manifest must be an object");
    }
    String apiVersion = o.path("apiVersion").asText("");
    String kind = o.path("kind").asText("");
    if (apiVersion.isEmpty() || kind.isEmpty()) {
      throw new CliException("error validating " + source + ": apiVersion and kind are required");
    }
    if (kind.equals("List") || kind.endsWith("List") && o.has("items")) {
      for (JsonNode item : o.path("items")) {
        add(cli, item, source, out);
      }
      return;
    }
    KindInfo k = cli.kinds().forManifest(apiVersion, kind);
    if (o.path("metadata").path("name").asText("").isEmpty()
        && o.path("metadata").path("generateName").asText("").isEmpty()) {
      throw new CliException("error validating " + source + ": " + kind + " has no metadata.name");
    }
    String ns = null;
    if (k.namespaced()) {
      String own = o.path("metadata").path("namespace").asText("");
      String flag = cli.options().namespace;
      if (!own.isEmpty() && flag != null && !flag.isEmpty() && !own.equals(flag)) {
        throw new CliException("the namespace from the provided object \"" + own
            + "\" does not match the namespace \"" + flag + "\". You must pass '--namespace=" + own
            + "' to perform this operation.");
      }
      ns = own.isEmpty() ? cli.namespace() : own;
      ((ObjectNode) o.path("metadata")).put("namespace", ns);
    }
    out.add(new Manifest(o, k, ns, source));
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse(s);
  }
}

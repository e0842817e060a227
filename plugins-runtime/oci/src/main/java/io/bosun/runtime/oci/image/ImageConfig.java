package io.bosun.runtime.oci.image;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * What an image says about running it (the {@code config} part of the OCI image config).
 *
 * @param entrypoint {@code Entrypoint}; empty if none
 * @param cmd        {@code Cmd}; empty if none
 * @param env        {@code Env}, {@code KEY=value}
 * @param workingDir {@code WorkingDir}; "" if none
 * @param user       {@code User}: name or uid, optionally {@code :group}; "" if none
 * @param stopSignal {@code StopSignal}; "" for SIGTERM
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, List<String> env, String workingDir, String user,
    String stopSignal) {

  public static final ImageConfig EMPTY = new ImageConfig(List.of(), List.of(), List.of(), "", "", "");

  public ImageConfig {
    entrypoint = List.copyOf(entrypoint);
    cmd = List.copyOf(cmd);
    env = List.copyOf(env);
  }

  /** From the image config document. */
  public static ImageConfig of(JsonNode doc) {
    JsonNode c = doc.path("config");
    return new ImageConfig(strings(c.path("Entrypoint")), strings(c.path("Cmd")), strings(c.path("Env")),
        c.path("WorkingDir").asText(""), c.path("User").asText(""), c.path("StopSignal").asText(""));
  }

  private static List<String> strings(JsonNode n) {
    List<String> out = new ArrayList<>();
    if (n.isArray()) {
      n.forEach(e -> out.add(e.asText()));
    }
    return out;
  }
}

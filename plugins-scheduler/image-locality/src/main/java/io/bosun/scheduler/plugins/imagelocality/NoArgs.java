package io.bosun.scheduler.plugins.imagelocality;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;

/** Argument check for a plugin that takes none (upstream has no args type for it). */
final class NoArgs {

  private NoArgs() {
  }

  /**
   * Accepts {@code {}}, optionally with the {@code apiVersion} / {@code kind} fields of a
   * KubeSchedulerConfiguration args object; anything else is a configuration mistake.
   *
   * @throws IllegalArgumentException naming the first unexpected field
   */
  static void check(String plugin, JsonNode args) {
    if (args == null || args.isNull()) {
      return;
    }
    if (!args.isObject()) {
      throw new IllegalArgumentException(plugin + " args must be an object");
    }
    for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!f.equals("apiVersion") && !f.equals("kind")) {
        throw new IllegalArgumentException(plugin + " takes no arguments (unknown field \"" + f + "\")");
      }
    }
  }
}

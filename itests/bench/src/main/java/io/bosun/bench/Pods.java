package io.bosun.bench;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The benchmark's pod: a small single-container web pod (labels, an annotation, a port, resource
 * requests): about 360 bytes as sent and about 1.7 KB as stored, once the server has defaulted it
 * and added uid, timestamps, status and managedFields (which alone roughly double it). Names are
 * fixed width so every request and stored value has the same size.
 */
final class Pods {

  /** Annotation carrying {@link System#nanoTime()} taken just before the create is sent. */
  static final String STAMP = "bench.bosun.io/sent-nanos";
  /** Label with the run id, so a run's pods can be found and deleted on a shared server. */
  static final String RUN_LABEL = "bench.bosun.io/run";

  private final String namespace;
  private final String run;

  /** @param seed picks the run id; names are unique within a run and across runs with different seeds */
  Pods(String namespace, long seed) {
    this.namespace = namespace;
    this.run = String.format("%08x", new Random(seed).nextInt());
  }

  String run() {
    return run;
  }

  String namespace() {
    return namespace;
  }

  /**
   * {@code b<run>-<part><kind><level>-<index>}, always 22 characters: part s(tore), r(est), x (watch)
   * or p (sample); kind w(arm-up) or m(easured); level the concurrency (000 for shared warm-up).
   */
  String name(char part, char kind, int level, int i) {
    return String.format("b%s-%c%c%03d-%07d", run, part, kind, level, i);
  }

  String key(String name) {
    return "/registry/pods/" + namespace + "/" + name;
  }

  /** The manifest a client POSTs; the stamp is 19 digits wide so the size never varies. */
  byte[] manifest(String name, long sentNanos) {
    String stamp = String.format("%019d", sentNanos);
    return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\""
        + namespace + "\",\"labels\":{\"app\":\"web\",\"" + RUN_LABEL + "\":\"" + run + "\"},"
        + "\"annotations\":{\"" + STAMP + "\":\"" + stamp + "\"}},"
        + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\","
        + "\"ports\":[{\"containerPort\":80,\"protocol\":\"TCP\"}],"
        + "\"resources\":{\"requests\":{\"cpu\":\"100m\",\"memory\":\"64Mi\"}}}]}}").getBytes(StandardCharsets.UTF_8);
  }

  /** Reads the stamp from a watch event line without parsing the JSON; -1 if there is none. */
  static long stamp(String line) {
    int at = line.indexOf(STAMP);
    if (at < 0) {
      return -1;
    }
    int start = line.indexOf('"', at + STAMP.length() + 1) + 1; // skip `":`, land after the opening quote
    int end = line.indexOf('"', start);
    return start <= 0 || end < 0 ? -1 : Long.parseLong(line, start, end, 10);
  }
}

package io.bosun.apiserver.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz}, {@code /livez} and {@code /readyz} with their named checks, answered like
 * upstream: "ok", or with {@code ?verbose} one {@code [+]name ok} / {@code [-]name failed} line
 * per check; 500 when a check fails. {@code /readyz/<check>} runs a single check.
 */
public final class Health {

  private final Map<String, BooleanSupplier> live = new LinkedHashMap<>();
  private final Map<String, BooleanSupplier> ready = new LinkedHashMap<>();

  public Health addLive(String name, BooleanSupplier check) {
    live.put(name, check);
    ready.put(name, check);
    return this;
  }

  public Health addReady(String name, BooleanSupplier check) {
    ready.put(name, check);
    return this;
  }

  /** Whether {@code path} is a health endpoint. */
  public static boolean handles(String path) {
    return path.equals("/healthz") || path.equals("/livez") || path.equals("/readyz")
        || path.startsWith("/healthz/") || path.startsWith("/livez/") || path.startsWith("/readyz/");
  }

  public void serve(Exchange ex) {
    String path = ex.path();
    String endpoint = path.substring(1).split("/")[0];
    Map<String, BooleanSupplier> checks = endpoint.equals("readyz") ? ready : live;
    String single = path.length() > endpoint.length() + 2 ? path.substring(endpoint.length() + 2) : null;
    if (single != null) {
      BooleanSupplier check = checks.get(single);
      if (check == null) {
        ex.send(404, "text/plain; charset=utf-8", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      boolean ok = safely(check);
      ex.send(ok ? 200 : 500, "text/plain; charset=utf-8",
          (ok ? "ok" : "internal server error: " + single + " check failed").getBytes(StandardCharsets.UTF_8));
      return;
    }
    StringBuilder verbose = new StringBuilder();
    boolean allOk = true;
    for (var e : checks.entrySet()) {
      boolean ok = safely(e.getValue());
      allOk &= ok;
      verbose.append(ok ? "[+]" : "[-]").append(e.getKey()).append(ok ? " ok\n" : " failed: reason withheld\n");
    }
    String body;
    if (ex.hasParam("verbose") || !allOk) {
      body = verbose + (allOk ? endpoint + " check passed\n" : endpoint + " check failed\n");
    } else {
      body = "ok";
    }
    ex.send(allOk ? 200 : 500, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private static boolean safely(BooleanSupplier check) {
    try {
      return check.getAsBoolean();
    } catch (RuntimeException e) {
      return false;
    }
  }
}

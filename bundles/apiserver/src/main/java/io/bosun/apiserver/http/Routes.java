package io.bosun.apiserver.http;

import io.bosun.apiserver.spi.RouteHandler;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The extra routes other bundles contribute ({@link RouteHandler} services), by path prefix.
 * Thread-safe: handlers come and go while requests are served.
 */
public final class Routes {

  private final Map<RouteHandler, String> prefixes = new ConcurrentHashMap<>();

  /** Adds or re-registers a handler; a prefix that does not start and end with {@code /} is refused. */
  public void add(RouteHandler handler, String prefix) {
    if (prefix == null || !prefix.startsWith("/") || !prefix.endsWith("/") || prefix.length() < 3) {
      throw new IllegalArgumentException("a route prefix must start and end with '/': " + prefix);
    }
    prefixes.put(handler, prefix);
  }

  public void remove(RouteHandler handler) {
    prefixes.remove(handler);
  }

  /** A route serving {@code path} (with or without its trailing {@code /}), the longest prefix first. */
  public Match find(String path) {
    String p = path.endsWith("/") ? path : path + "/";
    Match best = null;
    for (Map.Entry<RouteHandler, String> e : prefixes.entrySet()) {
      if (p.startsWith(e.getValue()) && (best == null || e.getValue().length() > best.prefix().length())) {
        best = new Match(e.getKey(), e.getValue());
      }
    }
    return best;
  }

  /** A handler and the prefix it matched on. */
  public record Match(RouteHandler handler, String prefix) {}
}

package io.bosun.apiserver.rest;

import io.bosun.apiserver.http.Exchange;
import io.bosun.apiserver.http.MediaTypes;
import io.bosun.apiserver.http.RequestInfo;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.status.ApiException;
import java.util.Locale;

/**
 * One resource request: the exchange, what it addresses, the resolved resource, and the options
 * every verb shares (dry run, field validation, field manager, response form).
 */
public record Call(Exchange exchange, RequestInfo info, ResourceType type, MediaTypes.Negotiated accept) {

  /** How unknown and duplicate fields are treated, as upstream's {@code fieldValidation}. */
  public enum FieldValidation { IGNORE, WARN, STRICT }

  public String namespace() {
    return info.namespace();
  }

  public String name() {
    return info.name();
  }

  public String subresource() {
    return info.subresource();
  }

  public boolean dryRun() {
    String v = exchange.param("dryRun");
    if (v == null || v.isEmpty()) {
      return false;
    }
    if (!v.equals("All")) {
      throw ApiException.badRequest("Invalid dry run value: " + v + ". Valid value is All.");
    }
    return true;
  }

  public FieldValidation fieldValidation() {
    String v = exchange.param("fieldValidation");
    if (v == null || v.isEmpty()) {
      return FieldValidation.WARN;
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "ignore" -> FieldValidation.IGNORE;
      case "warn" -> FieldValidation.WARN;
      case "strict" -> FieldValidation.STRICT;
      default -> throw ApiException.badRequest(
          "fieldValidation must be one of \"Ignore\", \"Warn\", or \"Strict\" but got \"" + v + "\"");
    };
  }

  /**
   * The field manager: the {@code fieldManager} parameter or, as upstream, the User-Agent up to
   * its first '/'.
   */
  public String fieldManager() {
    String m = exchange.param("fieldManager");
    if (m != null && !m.isEmpty()) {
      if (m.length() > 128) {
        throw ApiException.badRequest("fieldManager: Too long: may not be more than 128 bytes");
      }
      return m;
    }
    String agent = exchange.header("User-Agent");
    if (agent == null || agent.isEmpty()) {
      return "unknown";
    }
    int slash = agent.indexOf('/');
    String prefix = slash < 0 ? agent : agent.substring(0, slash);
    return prefix.length() > 128 ? prefix.substring(0, 128) : prefix;
  }
}

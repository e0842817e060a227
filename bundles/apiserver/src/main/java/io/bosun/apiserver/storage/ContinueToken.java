package io.bosun.apiserver.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a paged list resumes, encoded as upstream does: base64 of
 * {@code {"v":"meta.k8s.io/v1","rv":<revision>,"start":"<key after the prefix>"}}, so later
 * pages are read at the first page's revision.
 */
public record ContinueToken(long revision, String start) {

  public String encode(ObjectMapper mapper) {
    ObjectNode n = mapper.createObjectNode();
    n.put("v", "meta.k8s.io/v1");
    n.put("rv", revision);
    n.put("start", start);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(n.toString().getBytes(StandardCharsets.UTF_8));
  }

  /** Decodes a token; null when it is not one this server issued. */
  public static ContinueToken decode(String token, ObjectMapper mapper) {
    try {
      byte[] raw;
      try {
        raw = Base64.getUrlDecoder().decode(token);
      } catch (IllegalArgumentException e) {
        raw = Base64.getDecoder().decode(token);
      }
      JsonNode n = mapper.readTree(raw);
      if (!"meta.k8s.io/v1".equals(n.path("v").asText()) || !n.path("rv").canConvertToLong()
          || n.path("rv").asLong() <= 0 || !n.path("start").isTextual()) {
        return null;
      }
      String start = n.get("start").asText();
      if (start.contains("..") || start.startsWith("/")) {
        return null;
      }
      return new ContinueToken(n.get("rv").asLong(), start);
    } catch (Exception e) {
      return null;
    }
  }
}

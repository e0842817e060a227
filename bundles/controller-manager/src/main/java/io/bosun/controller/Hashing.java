package io.bosun.controller;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.PodTemplateSpec;
import java.nio.charset.StandardCharsets;

/**
 * Hashes of templates, as upstream's {@code controller.ComputeHash} and
 * {@code history.HashControllerRevision}: FNV-1a (32 bit) rendered with
 * {@code rand.SafeEncodeString}'s alphabet, so the {@code pod-template-hash} and
 * {@code controller-revision-hash} labels look like upstream's ({@code 5d59d67564}).
 *
 * <p>Upstream hashes Go's debug print of the struct; Bosun hashes the object's JSON with map keys
 * sorted, so equal templates get equal hashes across restarts and versions, but not the same
 * hash upstream would compute. Thread-safe.
 */
public final class Hashing {

  /** Upstream's {@code rand.SafeEncodeString} alphabet: no vowels, no confusable characters. */
  public static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private final ObjectMapper json = new ApiCodec().mapper().copy()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

  /**
   * The {@code pod-template-hash} of a template: FNV-1a over its canonical JSON, then the
   * collision count (if not null) as 8 little-endian bytes, as upstream.
   */
  public String computeHash(PodTemplateSpec template, Integer collisionCount) {
    return hash(template, collisionCount);
  }

  /** The hash of any model object's canonical JSON and an optional collision count (or probe). */
  public String hash(Object value, Integer collisionCount) {
    return hashBytes(canonicalJson(value), collisionCount);
  }

  /** The hash of raw bytes and an optional collision count. */
  public static String hashBytes(byte[] data, Integer collisionCount) {
    int h = fnv32a(FNV_OFFSET, data);
    if (collisionCount != null) {
      int c = collisionCount;
      byte[] le = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
      h = fnv32a(h, le);
    }
    return safeEncode(Integer.toUnsignedString(h));
  }

  /** The object's JSON with map keys sorted: the bytes hashes are computed from. */
  public byte[] canonicalJson(Object value) {
    try {
      return json.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot encode " + value.getClass().getSimpleName(), e);
    }
  }

  /** FNV-1a, 32 bit, continuing from {@code hash} (start with the offset basis 0x811c9dc5). */
  static int fnv32a(int hash, byte[] data) {
    int h = hash;
    for (byte b : data) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }

  /** Upstream's {@code rand.SafeEncodeString}: each byte mapped into {@link #SAFE_ALPHABET}. */
  public static String safeEncode(String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length);
    for (byte x : bytes) {
      b.append(SAFE_ALPHABET.charAt((x & 0xff) % SAFE_ALPHABET.length()));
    }
    return b.toString();
  }
}

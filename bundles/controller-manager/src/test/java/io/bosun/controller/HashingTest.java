package io.bosun.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HashingTest {

  private static PodTemplateSpec template(Map<String, String> labels, String image) {
    return new PodTemplateSpec().withMetadata(new ObjectMeta().withLabels(labels))
        .withSpec(new PodSpec().withContainers(List.of(new Container().withName("c").withImage(image))));
  }

  @Test
  void fnv32aMatchesTheReferenceVectors() {
    // FNV-1a 32-bit test vectors (draft-eastlake-fnv): "" and "a".
    assertThat(Integer.toUnsignedString(Hashing.fnv32a(0x811c9dc5, new byte[0]))).isEqualTo("2166136261");
    assertThat(Hashing.fnv32a(0x811c9dc5, "a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xe40c292c);
  }

  @Test
  void safeEncodeMapsBytesIntoTheAlphabet() {
    // '0' is byte 48: 48 % 27 = 21 -> '4'; '9' is 57 % 27 = 3 -> 'f'.
    assertThat(Hashing.safeEncode("09")).isEqualTo("4f");
  }

  @Test
  void equalTemplatesHashEquallyWhateverTheMapOrder() {
    Map<String, String> a = new LinkedHashMap<>();
    a.put("app", "web");
    a.put("tier", "front");
    Map<String, String> b = new LinkedHashMap<>();
    b.put("tier", "front");
    b.put("app", "web");
    Hashing h = new Hashing();
    String hash = h.computeHash(template(a, "nginx:1"), null);
    assertThat(hash).isEqualTo(new Hashing().computeHash(template(b, "nginx:1"), null));
    assertThat(hash).matches("[" + Hashing.SAFE_ALPHABET + "]+");
    assertThat(h.computeHash(template(a, "nginx:2"), null)).isNotEqualTo(hash);
    assertThat(h.computeHash(template(a, "nginx:1"), 1)).isNotEqualTo(hash);
  }
}

package io.bosun.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.store.spi.KeyRange;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The key encoding: order preserving, reversible, UTF-8 for BMP-only keys. */
class KeyLayoutTest {

  private static final char[] INTERESTING = {'\0', 'a', 'Z', '/', '\u007F', '\u0080', '\u00E9', '\u07FF', '\u0800',
      '\uD7FF', '\uD83D', '\uDE00', '\uDBFF', '\uDFFF', '\uE000', '\uFFFD', '\uFFFF'};

  private static String randomKey(Random r) {
    char[] chars = new char[r.nextInt(6)];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (char) r.nextInt(0x10000);
    }
    return new String(chars);
  }

  @Test
  void byteOrderIsUtf16CodeUnitOrderAndEveryStringRoundTrips() {
    Random r = new Random(42);
    for (int i = 0; i < 200_000; i++) {
      String a = randomKey(r);
      String b = randomKey(r);
      byte[] ea = KeyLayout.encode(a);
      byte[] eb = KeyLayout.encode(b);
      assertThat(Integer.signum(Arrays.compareUnsigned(ea, eb))).as("%s vs %s", a, b)
          .isEqualTo(Integer.signum(a.compareTo(b)));
      assertThat(KeyLayout.decode(ea, 0)).isEqualTo(a);
    }
  }

  @Test
  void bmpKeysAreTheirUtf8Bytes() {
    String key = "/registry/pods/default/nginx-\u00E9\u4E2D";
    assertThat(KeyLayout.encode(key)).isEqualTo(key.getBytes(StandardCharsets.UTF_8));
    // A 4-byte UTF-8 sequence written by another tool still decodes.
    String emoji = "/k/\uD83D\uDE00";
    assertThat(KeyLayout.decode(emoji.getBytes(StandardCharsets.UTF_8), 0)).isEqualTo(emoji);
  }

  @Test
  void keysLiveUnderThePrefixAndRangesStayInTheDataArea() {
    KeyLayout layout = new KeyLayout("/bosun");
    assertThat(layout.key("/registry/a").toString(StandardCharsets.UTF_8)).isEqualTo("/bosun/kv/registry/a");
    assertThat(layout.meta().toString(StandardCharsets.UTF_8)).isEqualTo("/bosun/meta");
    assertThat(layout.writerKey("w1").toString(StandardCharsets.UTF_8)).isEqualTo("/bosun/writers/w1");
    assertThat(layout.rangeEnd(KeyRange.prefix("")).toString(StandardCharsets.UTF_8)).isEqualTo("/bosun/kw");
    assertThat(layout.isData(layout.key(""))).isTrue();
    assertThat(layout.isData(layout.meta())).isFalse();
    assertThat(layout.isData(layout.writerKey("w1"))).isFalse();
    assertThat(layout.spiKey(layout.key("/x\u0000y"))).isEqualTo("/x\u0000y");
    // Meta and writer keys are outside every data range, inside the root.
    ByteSequence end = layout.rangeEnd(KeyRange.prefix(""));
    assertThat(Arrays.compareUnsigned(layout.meta().getBytes(), end.getBytes())).isPositive();
    assertThat(Arrays.compareUnsigned(layout.writerKey("w").getBytes(), layout.rootEnd().getBytes())).isNegative();
    assertThat(KeyLayout.prefixEnd(new byte[] {'a', (byte) 0xFF})).containsExactly('b');
    assertThat(KeyLayout.prefixEnd(new byte[] {(byte) 0xFF})).containsExactly(0);
  }
}

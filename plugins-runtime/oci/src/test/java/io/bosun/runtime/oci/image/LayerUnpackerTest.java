package io.bosun.runtime.oci.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.runtime.oci.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerUnpackerTest {

  @TempDir
  Path dir;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void apply(LayerUnpacker u, TestImages.LayerContent c, boolean gzip) throws IOException {
    u.apply(new ByteArrayInputStream(TestImages.layer(c, gzip)));
  }

  @Test
  void tarRoundTripKeepsTypesModesAndLongNames() throws IOException {
    String longName = "deep/" + "x".repeat(120) + "/file.txt";
    byte[] layer = TestImages.layer(tar -> {
      tar.directory("deep", 0755);
      tar.file(longName, 04755, bytes("long"));
      tar.symlink("link", "/" + "t".repeat(130));
      tar.hardlink("hard", longName);
    }, false);
    try (TarReader r = new TarReader(new ByteArrayInputStream(layer))) {
      TarReader.Entry d = r.next();
      assertThat(d.type()).isEqualTo(TarReader.Type.DIRECTORY);
      TarReader.Entry f = r.next();
      assertThat(f.name()).isEqualTo(longName);
      assertThat(f.mode()).isEqualTo(04755);
      assertThat(r.content().readAllBytes()).isEqualTo(bytes("long"));
      TarReader.Entry l = r.next();
      assertThat(l.type()).isEqualTo(TarReader.Type.SYMLINK);
      assertThat(l.linkName()).hasSize(131);
      TarReader.Entry h = r.next();
      assertThat(h.type()).isEqualTo(TarReader.Type.HARDLINK);
      assertThat(h.linkName()).isEqualTo(longName);
      assertThat(r.next()).isNull();
    }
  }

  @Test
  void appliesLayersWithWhiteoutsAndOpaqueFolders() throws IOException {
    Path root = dir.resolve("rootfs");
    LayerUnpacker u = new LayerUnpacker(root, false);
    apply(u, tar -> {
      tar.directory("etc", 0755);
      tar.file("etc/a", 0644, bytes("a1"));
      tar.file("etc/b", 0644, bytes("b1"));
      tar.directory("data", 0755);
      tar.file("data/old1", 0644, bytes("o"));
      tar.directory("data/sub", 0755);
      tar.file("data/sub/old2", 0644, bytes("o"));
      tar.file("gone", 0644, bytes("x"));
    }, true);
    apply(u, tar -> {
      tar.file("etc/.wh.a", 0644, new byte[0]);         // deletes etc/a of the layer below
      tar.file("etc/b", 0600, bytes("b2"));             // replaces
      tar.file("data/new", 0644, bytes("n"));           // before the opaque marker: must survive it
      tar.file("data/.wh..wh..opq", 0644, new byte[0]); // hides everything below in data/
      tar.file(".wh.gone", 0644, new byte[0]);
      tar.directory("gone2", 0755);
    }, false);
    assertThat(root.resolve("etc/a")).doesNotExist();
    assertThat(Files.readString(root.resolve("etc/b"))).isEqualTo("b2");
    assertThat(Files.getAttribute(root.resolve("etc/b"), "unix:mode")).isEqualTo(0100600);
    assertThat(root.resolve("data/new")).exists();
    assertThat(root.resolve("data/old1")).doesNotExist();
    assertThat(root.resolve("data/sub")).doesNotExist();
    assertThat(root.resolve("gone")).doesNotExist();
    assertThat(root.resolve("gone2")).isDirectory();
  }

  @Test
  void followsSymlinksInsideTheRootNeverOutOfIt() throws IOException {
    Path root = dir.resolve("rootfs");
    Path outside = dir.resolve("outside");
    Files.createDirectories(outside);
    LayerUnpacker u = new LayerUnpacker(root, false);
    apply(u, tar -> {
      tar.symlink("escape", outside.toString()); // absolute: means <root>/<outside> to the container
      tar.symlink("up", "../../../..");
      tar.directory("usr", 0755);
      tar.directory("usr/lib", 0755);
      tar.symlink("lib", "usr/lib");
    }, false);
    apply(u, tar -> {
      tar.file("escape/planted", 0644, bytes("x"));
      tar.file("up/planted2", 0644, bytes("y"));
      tar.file("lib/libc.so", 0755, bytes("z"));
    }, false);
    assertThat(outside.resolve("planted")).doesNotExist();
    assertThat(root.resolve(outside.toString().substring(1)).resolve("planted")).exists();
    assertThat(dir.resolve("planted2")).doesNotExist();
    assertThat(root.resolve("planted2")).exists();
    assertThat(root.resolve("usr/lib/libc.so")).exists();
    assertThat(Files.isSymbolicLink(root.resolve("lib"))).isTrue();
    assertThat(LayerUnpacker.resolveInRoot(root, "/escape/planted")).startsWith(root);
  }

  @Test
  void rejectsDotDotEntriesAndReplacesTypes() throws IOException {
    Path root = dir.resolve("rootfs");
    LayerUnpacker u = new LayerUnpacker(root, false);
    assertThatThrownBy(() -> apply(u, tar -> tar.file("../evil", 0644, bytes("x")), false))
        .hasMessageContaining("escapes");
    apply(u, tar -> {
      tar.directory("x", 0755);
      tar.file("x/in", 0644, bytes("1"));
      tar.file("f", 0644, bytes("1"));
    }, false);
    apply(u, tar -> {
      tar.file("x", 0644, bytes("now a file"));
      tar.directory("f", 0700);
      tar.file("h1", 0644, bytes("shared"));
      tar.hardlink("h2", "h1");
    }, false);
    assertThat(Files.readString(root.resolve("x"))).isEqualTo("now a file");
    assertThat(root.resolve("f")).isDirectory();
    assertThat(Files.getAttribute(root.resolve("h2"), "unix:nlink", LinkOption.NOFOLLOW_LINKS)).isEqualTo(2);
  }
}

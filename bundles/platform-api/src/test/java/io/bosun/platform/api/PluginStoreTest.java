package io.bosun.platform.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginStoreTest {

  @TempDir
  Path dir;

  static byte[] jar(String bsn, String version) throws IOException {
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    if (bsn != null) {
      mf.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
      mf.getMainAttributes().putValue("Bundle-SymbolicName", bsn);
      mf.getMainAttributes().putValue("Bundle-Version", version);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JarOutputStream j = new JarOutputStream(out, mf)) {
      j.closeEntry();
    }
    return out.toByteArray();
  }

  @Test
  void namesAreSanitized() throws Exception {
    assertThat(PluginStore.normalize("web-filter.jar")).isEqualTo("web-filter");
    assertThat(PluginStore.normalize("a_b.c-1")).isEqualTo("a_b.c-1");
    for (String bad : new String[] {"", "../x", "a/b", ".hidden", "a..b", "x y", "a\\b", "x".repeat(200)}) {
      assertThatThrownBy(() -> PluginStore.normalize(bad)).isInstanceOf(PluginStore.Refused.class)
          .satisfies(e -> assertThat(((PluginStore.Refused) e).code).isEqualTo(400));
    }
  }

  @Test
  void onlyBundlesWithinTheLimitAreAccepted() throws Exception {
    PluginStore store = new PluginStore(dir.resolve("plugins"), 4096);
    assertThat(store.readBundle(new ByteArrayInputStream(jar("my.plugin;singleton:=true", "1.0.0")))).isNotEmpty();
    assertThatThrownBy(() -> store.readBundle(new ByteArrayInputStream(jar(null, null))))
        .hasMessageContaining("no Bundle-SymbolicName");
    assertThatThrownBy(() -> store.readBundle(new ByteArrayInputStream("not a jar".getBytes())))
        .hasMessageContaining("not a jar");
    assertThatThrownBy(() -> store.readBundle(new ByteArrayInputStream(new byte[0])))
        .hasMessageContaining("no body");
    assertThatThrownBy(() -> store.readBundle(new ByteArrayInputStream(new byte[5000])))
        .satisfies(e -> assertThat(((PluginStore.Refused) e).code).isEqualTo(413));
    assertThat(PluginStore.symbolicName(jar("my.plugin;singleton:=true", "1"))).isEqualTo("my.plugin");
  }

  @Test
  void writeListReplaceDelete() throws Exception {
    PluginStore store = new PluginStore(dir.resolve("plugins"), 1 << 20);
    assertThat(store.list()).isEmpty();
    store.write("p1", jar("my.p1", "1.0.0"));
    Files.writeString(dir.resolve("plugins/notes.txt"), "ignored");
    assertThat(store.list()).extracting(PluginStore.Plugin::name, PluginStore.Plugin::symbolicName,
        PluginStore.Plugin::version).containsExactly(org.assertj.core.groups.Tuple.tuple("p1", "my.p1", "1.0.0"));
    String digest = store.get("p1").orElseThrow().sha256();
    store.write("p1", jar("my.p1", "2.0.0"));
    assertThat(store.get("p1").orElseThrow().version()).isEqualTo("2.0.0");
    assertThat(store.get("p1").orElseThrow().sha256()).isNotEqualTo(digest);
    // No temporary file is left where FileInstall could see it.
    try (var files = Files.list(dir.resolve("plugins"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("p1.jar", "notes.txt");
    }
    assertThat(store.delete("p1")).isTrue();
    assertThat(store.delete("p1")).isFalse();
    assertThat(store.get("p1")).isEmpty();
  }
}

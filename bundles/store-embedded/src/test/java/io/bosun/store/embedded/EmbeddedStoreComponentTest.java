package io.bosun.store.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.store.spi.KeyValueStore;
import java.lang.annotation.Annotation;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import java.io.InputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/** The DS component's configuration mapping, lifecycle and the bundle metadata bnd generated. */
class EmbeddedStoreComponentTest {

  @TempDir
  Path dir;

  /** A configuration as SCR would build it from properties, with the annotation's defaults. */
  private static EmbeddedStoreComponent.Config config(String dataDir, boolean fsync) {
    return new EmbeddedStoreComponent.Config() {
      @Override
      public Class<? extends Annotation> annotationType() {
        return EmbeddedStoreComponent.Config.class;
      }

      @Override
      public String dataDir() {
        return dataDir;
      }

      @Override
      public boolean fsync() {
        return fsync;
      }

      @Override
      public long historyRevisions() {
        return 500;
      }

      @Override
      public long historyDurationSeconds() {
        return 60;
      }

      @Override
      public int watchQueueCapacity() {
        return 100;
      }

      @Override
      public int cacheSizeMb() {
        return 16;
      }
    };
  }

  @Test
  void dataDirComesFromConfigurationThenTheBosunDataPropertyThenTheWorkingDirectory() {
    assertThat(EmbeddedStoreComponent.options(config("/var/x", true), p -> "/ignored").dataDir())
        .isEqualTo(Path.of("/var/x"));
    assertThat(EmbeddedStoreComponent.options(config("", true), p -> p.equals("bosun.data") ? "/srv/bosun" : null)
        .dataDir()).isEqualTo(Path.of("/srv/bosun/store"));
    assertThat(EmbeddedStoreComponent.options(config("", true), p -> null).dataDir())
        .isEqualTo(Path.of("data", "store").toAbsolutePath());

    EmbeddedStore.Options o = EmbeddedStoreComponent.options(config("/d", false), p -> null);
    assertThat(o.fsync()).isFalse();
    assertThat(o.historyRevisions()).isEqualTo(500);
    assertThat(o.historyDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(o.watchQueueCapacity()).isEqualTo(100);
    assertThat(o.cacheSizeMb()).isEqualTo(16);
  }

  @Test
  void activateOpensTheStoreAndDeactivateClosesIt() {
    BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {BundleContext.class},
        (proxy, method, args) -> method.getName().equals("getProperty") && "bosun.data".equals(args[0])
            ? dir.toString() : null);
    EmbeddedStoreComponent component = new EmbeddedStoreComponent(config("", true), context);
    assertThat(component.create("/k", new byte[] {1}, 0).revision()).isEqualTo(1);
    component.deactivate();
    assertThat(Files.exists(dir.resolve("store").resolve(EmbeddedStore.FILE_NAME))).isTrue();

    // The file is closed and unlocked: a new store opens it and finds the write.
    try (EmbeddedStore reopened = new EmbeddedStore(dir.resolve("store"))) {
      assertThat(reopened.get("/k").value()).containsExactly(1);
    }
  }

  @Test
  void bundleImportsMvStoreAndDeclaresTheComponent() throws Exception {
    Manifest manifest;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
      manifest = new Manifest(in);
    }
    Attributes main = manifest.getMainAttributes();
    assertThat(main.getValue("Bundle-SymbolicName")).isEqualTo("io.bosun.store.embedded");
    assertThat(main.getValue("Import-Package")).contains("org.h2.mvstore;version=\"[2.3,3)\"")
        .contains("org.h2.mvstore.type").contains("io.bosun.store.spi;version=\"[1.0,1.1)\"");
    assertThat(main.getValue("Export-Package")).isNull();
    assertThat(Path.of("target/classes/org/h2")).doesNotExist();

    String component = Files.readString(
        Path.of("target/classes/OSGI-INF/io.bosun.store.embedded.EmbeddedStoreComponent.xml"));
    assertThat(component).contains("configuration-pid=\"io.bosun.store.embedded\"")
        .contains("name=\"" + KeyValueStore.BACKEND + "\"").contains("value=\"embedded\"")
        .contains("interface=\"io.bosun.store.spi.KeyValueStore\"");
    assertThat(main.getValue("Service-Component")).contains("EmbeddedStoreComponent.xml");
    assertThat(Path.of("target/classes/OSGI-INF/metatype/io.bosun.store.embedded.xml")).exists();
  }
}

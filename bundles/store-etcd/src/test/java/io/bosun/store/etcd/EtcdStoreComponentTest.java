package io.bosun.store.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.KeyValueStore;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DS component's configuration mapping and the bundle metadata bnd generated. */
class EtcdStoreComponentTest {

  @TempDir
  Path dir;

  /** A configuration as SCR would build it from properties, with the annotation's defaults otherwise. */
  private static EtcdStoreComponent.Config config(Map<String, Object> p) {
    return new EtcdStoreComponent.Config() {
      @Override
      public Class<? extends Annotation> annotationType() {
        return EtcdStoreComponent.Config.class;
      }

      private <T> T get(String key, T fallback) {
        @SuppressWarnings("unchecked")
        T v = (T) p.getOrDefault(key, fallback);
        return v;
      }

      @Override
      public String[] endpoints() {
        return get("endpoints", new String[] {"http://127.0.0.1:2379"});
      }

      @Override
      public String keyPrefix() {
        return get("keyPrefix", "/bosun");
      }

      @Override
      public String caFile() {
        return get("caFile", "");
      }

      @Override
      public String certFile() {
        return get("certFile", "");
      }

      @Override
      public String keyFile() {
        return get("keyFile", "");
      }

      @Override
      public String tlsServerName() {
        return get("tlsServerName", "");
      }

      @Override
      public String user() {
        return get("user", "");
      }

      @Override
      public String _password() {
        return get(".password", "");
      }

      @Override
      public String passwordFile() {
        return get("passwordFile", "");
      }

      @Override
      public long requestTimeoutSeconds() {
        return get("requestTimeoutSeconds", 30L);
      }

      @Override
      public long attemptTimeoutSeconds() {
        return get("attemptTimeoutSeconds", 10L);
      }

      @Override
      public int watchQueueCapacity() {
        return get("watchQueueCapacity", 10_000);
      }
    };
  }

  @Test
  void defaultsAreOneLocalPlainTextEndpointUnderBosun() {
    EtcdStore.Options o = EtcdStoreComponent.options(config(Map.of()));
    assertThat(o.endpoints()).containsExactly("http://127.0.0.1:2379");
    assertThat(o.keyPrefix()).isEqualTo("/bosun");
    assertThat(o.tls()).isFalse();
    assertThat(o.user()).isNull();
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.attemptTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(o.watchQueueCapacity()).isEqualTo(10_000);
  }

  @Test
  void endpointsTlsAndAuthAreMapped() throws Exception {
    Path password = Files.writeString(dir.resolve("pw"), "s3cret\n");
    EtcdStore.Options o = EtcdStoreComponent.options(config(Map.of(
        "endpoints", new String[] {"https://10.0.0.1:2379, https://10.0.0.2:2379", "https://10.0.0.3:2379"},
        "keyPrefix", "/cluster-a",
        "caFile", "/etc/etcd/ca.pem", "certFile", "/etc/etcd/client.pem", "keyFile", "/etc/etcd/client-key.pem",
        "tlsServerName", "etcd.internal",
        "user", "bosun", "passwordFile", password.toString(),
        "requestTimeoutSeconds", 5L, "attemptTimeoutSeconds", 2L)));
    assertThat(o.endpoints()).containsExactly("https://10.0.0.1:2379", "https://10.0.0.2:2379", "https://10.0.0.3:2379");
    assertThat(o.keyPrefix()).isEqualTo("/cluster-a");
    assertThat(o.tls()).isTrue();
    assertThat(o.caFile()).isEqualTo(Path.of("/etc/etcd/ca.pem"));
    assertThat(o.certFile()).isEqualTo(Path.of("/etc/etcd/client.pem"));
    assertThat(o.keyFile()).isEqualTo(Path.of("/etc/etcd/client-key.pem"));
    assertThat(o.authority()).isEqualTo("etcd.internal");
    assertThat(o.user()).isEqualTo("bosun");
    assertThat(o.password()).isEqualTo("s3cret");
    assertThat(o.toString()).doesNotContain("s3cret");
    assertThat(o.requestTimeout()).isEqualTo(Duration.ofSeconds(5));

    assertThat(EtcdStoreComponent.options(config(Map.of("user", "u", ".password", "p"))).password()).isEqualTo("p");
  }

  @Test
  void invalidConfigurationFailsActivation() {
    assertThatThrownBy(() -> EtcdStoreComponent.options(config(Map.of("endpoints", new String[] {"127.0.0.1:2379"}))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http(s)://host:port");
    assertThatThrownBy(() -> EtcdStoreComponent.options(config(Map.of("endpoints", new String[] {" "}))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EtcdStoreComponent.options(config(Map.of("certFile", "/c.pem"))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyFile");
    assertThatThrownBy(() -> EtcdStoreComponent.options(config(Map.of("keyPrefix", ""))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(EtcdStore.splitEndpoints(new String[] {"http://a:1,http://b:2 http://c:3"}))
        .isEqualTo(List.of("http://a:1", "http://b:2", "http://c:3"));
  }

  @Test
  void bundleEmbedsItsRuntimeExportsNothingAndDeclaresARequiredConfiguration() throws Exception {
    Manifest manifest;
    try (InputStream in = Files.newInputStream(Path.of("target/classes/META-INF/MANIFEST.MF"))) {
      manifest = new Manifest(in);
    }
    Attributes main = manifest.getMainAttributes();
    assertThat(main.getValue("Bundle-SymbolicName")).isEqualTo("io.bosun.store.etcd");
    assertThat(main.getValue("Export-Package")).isNull();
    assertThat(main.getValue("Bundle-ClassPath")).startsWith(".,")
        .contains("lib/jetcd-core-0.8.7.jar").contains("lib/grpc-netty-").contains("lib/netty-codec-http2-")
        .contains("lib/vertx-core-").contains("lib/protobuf-java-").doesNotContain("slf4j");
    String imports = main.getValue("Import-Package");
    assertThat(imports).contains("io.bosun.store.spi;version=\"[1.0,1.1)\"").contains("org.slf4j;version=\"[1.7,3)\"")
        .doesNotContain("io.grpc").doesNotContain("io.netty").doesNotContain("com.fasterxml").doesNotContain("io.vertx");
    for (String jar : main.getValue("Bundle-ClassPath").split(",")) {
      if (!jar.equals(".")) {
        assertThat(Path.of("target/classes").resolve(jar)).exists();
      }
    }

    String component = Files.readString(
        Path.of("target/classes/OSGI-INF/io.bosun.store.etcd.EtcdStoreComponent.xml"));
    assertThat(component).contains("configuration-pid=\"io.bosun.store.etcd\"")
        .contains("configuration-policy=\"require\"").contains("immediate=\"true\"")
        .contains("name=\"" + KeyValueStore.BACKEND + "\"").contains("value=\"etcd\"")
        .contains("interface=\"io.bosun.store.spi.KeyValueStore\"")
        // The password is a private property: never published with the service.
        .contains("name=\".password\"").doesNotContain("name=\"password\"");
    assertThat(main.getValue("Service-Component")).contains("EtcdStoreComponent.xml");
    assertThat(Path.of("target/classes/OSGI-INF/metatype/io.bosun.store.etcd.xml")).exists();
  }
}

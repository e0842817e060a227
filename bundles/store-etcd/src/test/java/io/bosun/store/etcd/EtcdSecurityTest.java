package io.bosun.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.StoreException;
import io.bosun.store.spi.Watch;
import io.bosun.store.tck.Await;
import io.bosun.store.tck.RecordingListener;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.auth.Permission;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * TLS with client certificates and etcd authentication against a real etcd: a CA, server and
 * client certificates made with openssl, etcd with {@code --client-cert-auth}, and auth enabled
 * with a user that may only use the store's prefix (so the store has to fall back from watching
 * the whole key space to watching its prefix).
 */
class EtcdSecurityTest {

  private static Path certs;
  private static EtcdProcess etcd;

  private static String missing;

  @BeforeAll
  static void startSecuredEtcd() throws Exception {
    Optional<Path> binary = EtcdProcess.binary();
    if (binary.isEmpty()) {
      missing = EtcdExtension.MISSING;
      return;
    }
    if (!Files.isExecutable(Path.of("/usr/bin/openssl"))) {
      missing = "no /usr/bin/openssl to make test certificates (Debian package openssl)";
      return;
    }
    certs = Files.createTempDirectory("bosun-etcd-certs-");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=bosun-test-ca");
    certificate("server", "etcd", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n");
    certificate("client", "bosun", "extendedKeyUsage=clientAuth\n");
    etcd = EtcdProcess.start(binary.get(), List.of(
        "--cert-file", certs.resolve("server.pem").toString(),
        "--key-file", certs.resolve("server.key").toString(),
        "--trusted-ca-file", certs.resolve("ca.pem").toString(),
        "--client-cert-auth"));

    // Auth: root, and a user "bosun" that may read and write /sec/ only.
    try (Client admin = Client.builder().endpoints(etcd.endpoint())
        .sslContext(ssl -> ssl.trustManager(certs.resolve("ca.pem").toFile())
            .keyManager(certs.resolve("client.pem").toFile(), certs.resolve("client.key").toFile()))
        .build()) {
      Auth auth = admin.getAuthClient();
      auth.userAdd(b("root"), b("rootpw")).get(10, TimeUnit.SECONDS);
      auth.roleAdd(b("root")).get(10, TimeUnit.SECONDS);
      auth.userGrantRole(b("root"), b("root")).get(10, TimeUnit.SECONDS);
      auth.userAdd(b("bosun"), b("bosunpw")).get(10, TimeUnit.SECONDS);
      auth.roleAdd(b("bosun-store")).get(10, TimeUnit.SECONDS);
      auth.roleGrantPermission(b("bosun-store"), b("/sec/"), b("/sec0"), Permission.Type.READWRITE)
          .get(10, TimeUnit.SECONDS);
      auth.userGrantRole(b("bosun"), b("bosun-store")).get(10, TimeUnit.SECONDS);
      auth.authEnable().get(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void requireEtcd() {
    Assumptions.assumeTrue(missing == null, missing);
  }

  @AfterAll
  static void stop() {
    if (etcd != null) {
      etcd.close();
    }
  }

  private static ByteSequence b(String s) {
    return ByteSequence.from(s, UTF_8);
  }

  private static void certificate(String name, String cn, String extensions) throws Exception {
    Files.writeString(certs.resolve(name + ".ext"), extensions);
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn);
    openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(List.of("/usr/bin/openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(certs.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("openssl " + String.join(" ", args) + " failed:\n" + out);
    }
  }

  private static EtcdStore.Options secured(String prefix, String password) {
    return EtcdStore.Options.defaults(List.of(etcd.endpoint()))
        .withKeyPrefix(prefix)
        .withTls(certs.resolve("ca.pem"), certs.resolve("client.pem"), certs.resolve("client.key"), null)
        .withAuth("bosun", password)
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(3));
  }

  @Test
  void worksOverTlsWithAClientCertificateAndAUserLimitedToItsPrefix() {
    try (EtcdStore store = new EtcdStore(secured("/sec", "bosunpw"))) {
      RecordingListener live = new RecordingListener();
      Watch w = store.watch(KeyRange.prefix("/a/"), 0, live);
      long rev = store.create("/a/1", "one".getBytes(UTF_8), 0).revision();
      assertThat(rev).isEqualTo(1);
      assertThat(store.update("/a/1", "two".getBytes(UTF_8), 1, store.grantLease(60)).succeeded()).isTrue();
      assertThat(new String(store.get("/a/1").value(), UTF_8)).isEqualTo("two");
      Await.until("both events", () -> live.eventCount() == 2);
      w.requestProgress();
      Await.until("progress", () -> live.progress().stream().anyMatch(p -> p >= 2));

      RecordingListener replay = new RecordingListener();
      store.watch(KeyRange.prefix("/a/"), 1, replay);
      Await.until("replay", () -> replay.eventCount() == 2);
      assertThat(replay.events()).isEqualTo(live.events());
      assertThat(store.status()).containsEntry("watchScope", "prefix").containsEntry("tls", true);
    }
  }

  @Test
  void aWrongPasswordFailsToOpen() {
    assertThatThrownBy(() -> new EtcdStore(secured("/sec", "wrong")).close())
        .isInstanceOf(StoreException.class).hasMessageContaining("authentication failed");
  }

  @Test
  void aPrefixTheUserMayNotUseFailsToOpen() {
    assertThatThrownBy(() -> new EtcdStore(secured("/elsewhere", "bosunpw")).close())
        .isInstanceOf(StoreException.class).hasMessageContaining("permission denied");
  }

  @Test
  void withoutAClientCertificateTheServerRefusesTheConnection() {
    EtcdStore.Options noCert = EtcdStore.Options.defaults(List.of(etcd.endpoint())).withKeyPrefix("/sec")
        .withTls(certs.resolve("ca.pem"), null, null, null).withAuth("bosun", "bosunpw")
        .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(1));
    assertThatThrownBy(() -> new EtcdStore(noCert).close()).isInstanceOf(StoreException.class)
        .hasMessageContaining("unavailable");
  }
}

package io.bosun.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.cli.CliException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KubeconfigTest {

  @TempDir
  Path dir;

  static final String KIND = """
      apiVersion: v1
      kind: Config
      # a comment
      clusters:
      - name: kind-dev
        cluster:
          server: https://127.0.0.1:40000
          certificate-authority-data: %s
      contexts:
      - name: kind-dev
        context: {cluster: kind-dev, user: kind-dev, namespace: team}
      current-context: kind-dev
      users:
      - name: kind-dev
        user: {token: secret-token}
      """.formatted(Base64.getEncoder().encodeToString("-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n"
      .getBytes()));

  @Test
  void locatesFilesAsKubectlDoes() {
    assertThat(Kubeconfig.locate("/x/k", Map.of("KUBECONFIG", "/a:/b"))).containsExactly(Path.of("/x/k"));
    assertThat(Kubeconfig.locate(null, Map.of("KUBECONFIG", "/a:/b"))).containsExactly(Path.of("/a"), Path.of("/b"));
    assertThat(Kubeconfig.locate(null, Map.of("HOME", "/home/u"))).containsExactly(Path.of("/home/u/.kube/config"));
  }

  @Test
  void resolvesTheCurrentContextWithCredentials() throws Exception {
    Path f = dir.resolve("config");
    Files.writeString(f, KIND);
    Connection c = Kubeconfig.load(List.of(f)).resolve(null, null);
    assertThat(c.server()).isEqualTo("https://127.0.0.1:40000");
    assertThat(c.namespace()).isEqualTo("team");
    assertThat(c.token()).isEqualTo("secret-token");
    assertThat(c.caData()).startsWith("-----BEGIN CERTIFICATE-----");
    assertThat(Kubeconfig.load(List.of(f)).resolve(null, "http://other:1").server()).isEqualTo("http://other:1");
    assertThatThrownBy(() -> Kubeconfig.load(List.of(f)).resolve("nope", null)).isInstanceOf(CliException.class)
        .hasMessageContaining("context \"nope\" does not exist").hasMessageContaining("kind-dev");
  }

  @Test
  void withoutAnyConfigTheLocalDefaultIsUsed() {
    Connection c = Kubeconfig.load(List.of(dir.resolve("missing"))).resolve(null, null);
    assertThat(c.server()).isEqualTo("http://127.0.0.1:6443");
    assertThat(c.namespace()).isEqualTo("default");
  }

  @Test
  void firstFileWinsWhenMerging() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.writeString(a, "clusters: [{name: c, cluster: {server: 'http://a:1'}}]\ncontexts: [{name: x, context:"
        + " {cluster: c, user: u}}]\n");
    Files.writeString(b, KIND.replace("https://127.0.0.1:40000", "http://b:2") + "\n");
    Files.writeString(b, Files.readString(b).replace("current-context: kind-dev", "current-context: x")
        + "");
    Kubeconfig k = Kubeconfig.load(List.of(a, b));
    assertThat(k.currentContext()).isEqualTo("x");
    assertThat(k.resolve(null, null).server()).isEqualTo("http://a:1");
    assertThat(k.resolve("kind-dev", null).server()).isEqualTo("http://b:2");
  }

  @Test
  void writeContextKeepsEveryOtherEntry() throws Exception {
    Path f = dir.resolve("kube/config");
    Files.createDirectories(f.getParent());
    Files.writeString(f, KIND);
    assertThat(Kubeconfig.writeContext(f, "bosun", "http://127.0.0.1:6443", null, true)).isTrue();
    Kubeconfig k = Kubeconfig.load(List.of(f));
    assertThat(k.currentContext()).isEqualTo("bosun");
    assertThat(k.contexts()).containsKeys("kind-dev", "bosun");
    assertThat(k.resolve("kind-dev", null).token()).isEqualTo("secret-token");
    assertThat(k.resolve("bosun", null).server()).isEqualTo("http://127.0.0.1:6443");
    assertThat(k.resolve("bosun", null).namespace()).isEqualTo("default");
    // Same again: nothing to change.
    assertThat(Kubeconfig.writeContext(f, "bosun", "http://127.0.0.1:6443", null, true)).isFalse();
    // A new port updates the entry in place; --no-use keeps the current context.
    Kubeconfig.useContext(List.of(f), "kind-dev");
    assertThat(Kubeconfig.writeContext(f, "bosun", "http://127.0.0.1:7443", null, false)).isTrue();
    k = Kubeconfig.load(List.of(f));
    assertThat(k.currentContext()).isEqualTo("kind-dev");
    assertThat(k.resolve("bosun", null).server()).isEqualTo("http://127.0.0.1:7443");
    assertThat(Files.readString(f).split("name: bosun", -1)).hasSize(4);   // one cluster, user, context
  }

  @Test
  void aNewFileIsPrivate() throws Exception {
    Path f = dir.resolve("new/config");
    Kubeconfig.writeContext(f, "bosun", "http://127.0.0.1:6443", "apps", false);
    assertThat(Files.getPosixFilePermissions(f)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    Connection c = Kubeconfig.load(List.of(f)).resolve(null, null);
    assertThat(c.context()).isEqualTo("bosun");
    assertThat(c.namespace()).isEqualTo("apps");
  }
}

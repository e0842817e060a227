package io.bosun.cli.it;

import static io.bosun.cli.it.WorkloadCommandsIT.fails;
import static io.bosun.cli.it.WorkloadCommandsIT.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.cli.it.BosunRuntime.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Platform commands: plugins round trip, bundles, scheduler profiles, kubeconfig. */
@ExtendWith(BosunRuntime.class)
class PlatformCommandsIT {

  /** A minimal plugin bundle: a manifest and one resource, no code needed to be installed and started. */
  static Path bundle(Path dir, String file, String bsn, String version) throws IOException {
    Manifest mf = new Manifest();
    Attributes a = mf.getMainAttributes();
    a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
    a.putValue("Bundle-ManifestVersion", "2");
    a.putValue("Bundle-SymbolicName", bsn);
    a.putValue("Bundle-Version", version);
    a.putValue("Bundle-Name", "CLI test plugin");
    Path jar = dir.resolve(file);
    try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, mf)) {
      j.putNextEntry(new JarEntry("io/bosun/test/plugin/version.txt"));
      j.write(version.getBytes());
      j.closeEntry();
    }
    return jar;
  }

  @Test
  void pluginInstallUpdateRemoveRoundTrip(BosunRuntime b) throws Exception {
    Path v1 = bundle(b.work(), "test-plugin-1.0.0.jar", "io.bosun.test.plugin", "1.0.0");
    Path v2 = bundle(b.work(), "test-plugin-1.1.0.jar", "io.bosun.test.plugin", "1.1.0");

    Result install = ok(b.bosun("plugins", "install", v1.toString()));
    assertThat(install.out()).contains("plugin io.bosun.test.plugin uploaded")
        .contains("plugin io.bosun.test.plugin is active: bundle io.bosun.test.plugin 1.0.0");
    assertThat(b.instance().resolve("plugins/io.bosun.test.plugin.jar")).exists();
    Result list = ok(b.bosun("plugins", "list"));
    assertThat(list.out()).containsPattern("io.bosun.test.plugin +io.bosun.test.plugin +1.0.0 +ACTIVE");
    assertThat(ok(b.bosun("bundles")).out()).containsPattern("ACTIVE +io.bosun.test.plugin +1.0.0 .*plugin");
    // A second install of the same name is refused; update replaces it in place.
    assertThat(fails(b.bosun("plugins", "install", v1.toString())).err()).contains("already exists");
    Result update = ok(b.bosun("plugins", "update", "io.bosun.test.plugin", v2.toString()));
    assertThat(update.out()).contains("is active: bundle io.bosun.test.plugin 1.1.0");
    assertThat(ok(b.bosun("plugins", "list")).out()).containsPattern("io.bosun.test.plugin +1.1.0 +ACTIVE");

    Result remove = ok(b.bosun("plugins", "remove", "io.bosun.test.plugin"));
    assertThat(remove.out()).contains("plugin io.bosun.test.plugin deleted").contains("uninstalled");
    assertThat(b.instance().resolve("plugins/io.bosun.test.plugin.jar")).doesNotExist();
    assertThat(ok(b.bosun("bundles")).out()).doesNotContain("io.bosun.test.plugin");
    assertThat(ok(b.bosun("plugins", "list")).err()).contains("No plugins installed");
    assertThat(fails(b.bosun("plugins", "update", "io.bosun.test.plugin", v2.toString())).err())
        .contains("is not installed");
  }

  @Test
  void badPluginsAreRefusedWithReasons(BosunRuntime b) throws Exception {
    Path notABundle = b.work().resolve("plain.jar");
    Manifest mf = new Manifest();
    mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    try (OutputStream out = Files.newOutputStream(notABundle); JarOutputStream j = new JarOutputStream(out, mf)) {
      j.closeEntry();
    }
    assertThat(fails(b.bosun("plugins", "install", notABundle.toString())).err())
        .contains("not an OSGi bundle");
    Path ok = bundle(b.work(), "named.jar", "io.bosun.test.named", "1.0.0");
    assertThat(fails(b.bosun("plugins", "install", ok.toString(), "--name", "../escape")).err())
        .contains("invalid plugin name");
    // A plugin may not take a system bundle's name.
    Path clash = bundle(b.work(), "clash.jar", "io.bosun.apiserver", "9.0.0");
    assertThat(fails(b.bosun("plugins", "install", clash.toString())).err()).contains("already installed from");
    // The server checks too, whatever the client: a raw upload of a non-bundle is a 400 Status.
    try {
      b.send("POST", "/apis/platform.bosun.io/v1alpha1/plugins?name=raw", "application/java-archive", "not a jar");
      throw new AssertionError("accepted");
    } catch (IllegalStateException e) {
      assertThat(e.getMessage()).contains("400").contains("\"kind\":\"Status\"");
    }
  }

  @Test
  void bundlesShowsEveryBundleAndComponent(BosunRuntime b) {
    Result r = ok(b.bosun("bundles", "-c"));
    assertThat(r.out()).containsPattern("ACTIVE +io.bosun.apiserver ").containsPattern("ACTIVE +io.bosun.platform.api ")
        .contains("COMPONENT").containsPattern("io.bosun.apiserver.ApiServerComponent +ACTIVE");
    assertThat(ok(b.bosun("bundles", "-o", "json")).out()).contains("\"kind\" : \"BundleList\"");
  }

  @Test
  void schedulerProfileSwitchWritesTheConfigMap(BosunRuntime b) throws Exception {
    Result before = ok(b.bosun("scheduler", "profiles"));
    assertThat(before.out()).contains("default-scheduler").contains("Policies: default, spread, binpack");
    // Either the running scheduler's view or, without one, the configuration it will use.
    assertThat(before.out()).containsAnyOf("(kube-system/bosun-scheduler)", "the scheduler is not running");
    assertThat(ok(b.bosun("scheduler", "use", "binpack")).out())
        .startsWith("scheduler profile default-scheduler: policy default -> binpack (applies to pods scheduled from now"
            + " on)\n");
    JsonNode cm = b.get("/api/v1/namespaces/kube-system/configmaps/bosun-scheduler-profiles");
    assertThat(cm.path("data").path("profiles").asText()).contains("schedulerName: default-scheduler")
        .contains("policy: binpack");
    assertThat(ok(b.bosun("scheduler", "profiles")).out()).containsPattern("default-scheduler +binpack");
    ok(b.bosun("scheduler", "use", "spread", "--profile", "batch"));
    assertThat(ok(b.bosun("scheduler", "profiles")).out()).containsPattern("default-scheduler +binpack")
        .containsPattern("batch +spread");
    assertThat(fails(b.bosun("scheduler", "use", "fastest")).err()).contains("unknown policy \"fastest\"");

    Path policies = b.work().resolve("policies.yaml");
    Files.writeString(policies, "fastest:\n  plugins:\n    multiPoint:\n      enabled: [{name: NodeResourcesFit,"
        + " weight: 5}]\n");
    ok(b.bosun("scheduler", "set", "--policies", policies.toString(), "--no-wait"));
    assertThat(ok(b.bosun("scheduler", "profiles")).out()).contains("Policies: default, spread, binpack, fastest");
    ok(b.bosun("scheduler", "use", "fastest", "--no-wait"));
    ok(b.bosun("scheduler", "set", "--reset"));
    assertThat(b.get("/api/v1/namespaces/kube-system/configmaps/bosun-scheduler-profiles")).isNull();
  }

  @Test
  void kubeconfigContexts(BosunRuntime b) throws Exception {
    Path k = b.work().resolve("other-kubeconfig");
    Files.writeString(k, """
        apiVersion: v1
        kind: Config
        clusters: [{name: prod, cluster: {server: 'https://prod.example:6443'}}]
        users: [{name: prod, user: {token: t}}]
        contexts: [{name: prod, context: {cluster: prod, user: prod}}]
        current-context: prod
        """);
    ok(b.bosun("--kubeconfig", k.toString(), "config", "write-context", "--server", b.url(), "--no-use"));
    Result contexts = ok(b.bosun("--kubeconfig", k.toString(), "config", "get-contexts"));
    assertThat(contexts.out()).containsPattern("\\* +prod").containsPattern("\n +bosun +bosun");
    // --context picks the new one without switching.
    assertThat(ok(b.bosun("--kubeconfig", k.toString(), "--context", "bosun", "get", "ns", "default", "-o", "name"))
        .out()).isEqualTo("namespace/default\n");
    ok(b.bosun("--kubeconfig", k.toString(), "config", "use-context", "bosun"));
    assertThat(ok(b.bosun("--kubeconfig", k.toString(), "config", "current-context")).out()).startsWith("bosun "
        + b.url());
    assertThat(Files.readString(k)).contains("https://prod.example:6443").contains("token: t");
    assertThat(fails(b.bosun("--kubeconfig", k.toString(), "--context", "nope", "get", "ns")).err())
        .contains("context \"nope\" does not exist");
  }
}

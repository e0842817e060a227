package io.bosun.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.runtime.oci.image.ImageConfig;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerResources;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Mount;
import io.bosun.runtime.spi.SecurityOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config.json generation and the process rules, without runc. */
class RuncSpecTest {

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path dir;

  private static ContainerConfig config(List<String> command, List<String> args, String workingDir, List<KeyValue> env) {
    return new ContainerConfig("c", 0, ImageSpec.of("img"), command, args, workingDir, env, List.of(), Map.of(),
        Map.of(), null, null, null, false, false);
  }

  private static final ImageConfig IMAGE = new ImageConfig(List.of("/entry"), List.of("default", "cmd"),
      List.of("PATH=/usr/bin", "A=image", "B=image"), "/srv", "", "");

  @Test
  void commandAndArgsFollowKubernetesRules() {
    assertThat(ProcessSpec.argv(IMAGE, config(List.of(), List.of(), null, null)))
        .containsExactly("/entry", "default", "cmd");
    assertThat(ProcessSpec.argv(IMAGE, config(List.of(), List.of("x"), null, null))).containsExactly("/entry", "x");
    assertThat(ProcessSpec.argv(IMAGE, config(List.of("/bin/sh"), List.of(), null, null))).containsExactly("/bin/sh");
    assertThat(ProcessSpec.argv(IMAGE, config(List.of("/bin/sh"), List.of("-c", "true"), null, null)))
        .containsExactly("/bin/sh", "-c", "true");
    assertThatThrownBy(() -> ProcessSpec.argv(ImageConfig.EMPTY, config(List.of(), List.of(), null, null)))
        .isInstanceOf(CreateContainerException.class);
    assertThat(ProcessSpec.cwd(IMAGE, config(List.of(), List.of(), null, null))).isEqualTo("/srv");
    assertThat(ProcessSpec.cwd(IMAGE, config(List.of(), List.of(), "/work", null))).isEqualTo("/work");
    assertThat(ProcessSpec.cwd(ImageConfig.EMPTY, config(List.of(), List.of(), null, null))).isEqualTo("/");
  }

  @Test
  void containerEnvironmentOverridesTheImages() {
    List<String> env = ProcessSpec.env(IMAGE, config(List.of(), List.of(),
        null, List.of(new KeyValue("B", "pod"), new KeyValue("C", "pod"))), "h");
    assertThat(env).containsExactly("PATH=/usr/bin", "A=image", "HOSTNAME=h", "B=pod", "C=pod");
    assertThat(ProcessSpec.env(ImageConfig.EMPTY, config(List.of(), List.of(), null, null), "h"))
        .contains("PATH=" + ProcessSpec.DEFAULT_PATH);
  }

  @Test
  void usersResolveAgainstTheImagesPasswdAndGroupFiles() throws IOException {
    Path root = dir.resolve("rootfs");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1000:1001::/home/app:/bin/sh\n");
    Files.writeString(root.resolve("etc/group"), "root:x:0:\napp:x:1001:\nwheel:x:10:app,other\nstaff:x:50:\n");
    SecurityOptions none = SecurityOptions.DEFAULT;
    assertThat(Users.resolve(ImageConfig.EMPTY, none, root)).isEqualTo(new Users(0, 0, List.of()));
    assertThat(Users.resolve(user("app"), none, root)).isEqualTo(new Users(1000, 1001, List.of(10L)));
    assertThat(Users.resolve(user("app:staff"), none, root)).isEqualTo(new Users(1000, 50, List.of(10L)));
    assertThat(Users.resolve(user("1000:7"), none, root)).isEqualTo(new Users(1000, 7, List.of(10L)));
    assertThat(Users.resolve(user("4242"), none, root)).isEqualTo(new Users(4242, 0, List.of()));
    assertThatThrownBy(() -> Users.resolve(user("ghost"), none, root)).isInstanceOf(CreateContainerException.class);
    SecurityOptions runAs = new SecurityOptions(1000L, 2000L, List.of(3000L), false, false, true, List.of(), List.of());
    assertThat(Users.resolve(user("root"), runAs, root)).isEqualTo(new Users(1000, 2000, List.of(10L, 3000L)));
    // /etc/passwd as an absolute symlink resolves inside the root, never to the host's
    Files.delete(root.resolve("etc/passwd"));
    Files.writeString(root.resolve("etc/passwd.real"), "root:x:0:0::/root:/bin/sh\nsym:x:7:7::/:/bin/sh\n");
    Files.createSymbolicLink(root.resolve("etc/passwd"), Path.of("/etc/passwd.real"));
    assertThat(Users.resolve(user("sym"), none, root).uid()).isEqualTo(7);
  }

  private static ImageConfig user(String u) {
    return new ImageConfig(List.of(), List.of("x"), List.of(), "", u, "");
  }

  private JsonNode spec(SecurityOptions sec, ContainerResources res, List<Mount> mounts, String netns) {
    RuncSpec.Input in = new RuncSpec.Input(List.of("sh"), List.of("PATH=/bin"), "/", new Users(1, 2, List.of(3L)),
        "pod-host", "/rootfs", netns, "/ns/ipc", "/ns/uts", "/bosun/s/c", res, sec, mounts,
        Map.of("/etc/hosts", "/s/hosts", "/etc/resolv.conf", "/s/resolv.conf"));
    return RuncSpec.build(json, in);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  @Test
  void buildsARuncSpecWithContainerdsDefaults() {
    JsonNode s = spec(SecurityOptions.DEFAULT, new ContainerResources(250, 500, 0, 64L << 20),
        List.of(new Mount(Path.of("/host/data"), "/data/", true, Mount.Propagation.HOST_TO_CONTAINER),
            new Mount(Path.of("/host/hosts"), "/etc/hosts", false, null)), "/run/netns/x");
    assertThat(s.path("process").path("terminal").asBoolean()).isFalse();
    assertThat(s.path("process").path("user").path("uid").asLong()).isEqualTo(1);
    assertThat(s.path("process").path("user").path("gid").asLong()).isEqualTo(2);
    assertThat(texts(s.path("process").path("user").path("additionalGids"))).containsExactly("3");
    assertThat(texts(s.path("process").path("capabilities").path("bounding")))
        .containsExactlyElementsOf(RuncSpec.DEFAULT_CAPABILITIES);
    assertThat(s.path("process").path("noNewPrivileges").asBoolean()).isFalse();
    assertThat(s.path("hostname").asText()).isEqualTo("pod-host");
    assertThat(s.path("root").path("readonly").asBoolean()).isFalse();
    JsonNode linux = s.path("linux");
    assertThat(linux.path("cgroupsPath").asText()).isEqualTo("/bosun/s/c");
    assertThat(linux.path("resources").path("cpu").path("shares").asLong()).isEqualTo(256);
    assertThat(linux.path("resources").path("cpu").path("quota").asLong()).isEqualTo(50_000);
    assertThat(linux.path("resources").path("cpu").path("period").asLong()).isEqualTo(100_000);
    assertThat(linux.path("resources").path("memory").path("limit").asLong()).isEqualTo(64L << 20);
    assertThat(linux.path("resources").path("devices").get(0).path("allow").asBoolean()).isFalse();
    List<String> ns = new ArrayList<>();
    linux.path("namespaces").forEach(n -> ns.add(n.path("type").asText() + "=" + n.path("path").asText("")));
    assertThat(ns).containsExactly("pid=", "ipc=/ns/ipc", "uts=/ns/uts", "mount=", "network=/run/netns/x");
    assertThat(texts(linux.path("maskedPaths"))).contains("/proc/kcore", "/sys/firmware");
    assertThat(texts(linux.path("readonlyPaths"))).contains("/proc/sys");

    List<String> mounts = new ArrayList<>();
    s.path("mounts").forEach(m -> mounts.add(m.path("destination").asText() + " " + m.path("type").asText() + " "
        + m.path("source").asText() + " " + texts(m.path("options"))));
    assertThat(mounts).contains("/proc proc proc [nosuid, noexec, nodev]",
        "/sys sysfs sysfs [nosuid, noexec, nodev, ro]",
        "/etc/resolv.conf bind /s/resolv.conf [rbind, rprivate]",
        "/data bind /host/data [rbind, rslave, ro]",
        "/etc/hosts bind /host/hosts [rbind, rprivate]");
    // the volume at /etc/hosts replaces the pod's file
    assertThat(mounts).noneMatch(m -> m.startsWith("/etc/hosts bind /s/hosts"));
  }

  @Test
  void privilegedCapabilitiesReadOnlyRootAndHostNetwork() {
    JsonNode p = spec(new SecurityOptions(null, null, List.of(), true, false, true, List.of(), List.of()),
        ContainerResources.NONE, List.of(), null);
    assertThat(texts(p.path("process").path("capabilities").path("effective")))
        .containsExactlyElementsOf(RuncSpec.ALL_CAPABILITIES);
    assertThat(p.path("linux").has("maskedPaths")).isFalse();
    assertThat(p.path("linux").path("resources").path("devices").get(0).path("allow").asBoolean()).isTrue();
    assertThat(p.path("linux").path("resources").path("cpu").path("shares").asLong()).isEqualTo(2);
    assertThat(p.path("linux").path("resources").path("cpu").has("quota")).isFalse();
    assertThat(p.path("linux").path("resources").has("memory")).isFalse();
    List<String> ns = new ArrayList<>();
    p.path("linux").path("namespaces").forEach(n -> ns.add(n.path("type").asText()));
    assertThat(ns).doesNotContain("network");

    JsonNode ro = spec(new SecurityOptions(null, null, List.of(), false, true, false, List.of("net_admin"),
        List.of("ALL")), ContainerResources.NONE, List.of(), "/n");
    assertThat(ro.path("root").path("readonly").asBoolean()).isTrue();
    assertThat(ro.path("process").path("noNewPrivileges").asBoolean()).isTrue();
    assertThat(texts(ro.path("process").path("capabilities").path("bounding"))).containsExactly("CAP_NET_ADMIN");
    assertThat(RuncSpec.capabilities(new SecurityOptions(null, null, List.of(), false, false, true,
        List.of(), List.of("CAP_NET_RAW", "mknod")))).doesNotContain("CAP_NET_RAW", "CAP_MKNOD").contains("CAP_CHOWN");
    assertThat(RuncSpec.cpuQuota(1)).isEqualTo(1000);
    assertThat(RuncSpec.cpuShares(1)).isEqualTo(2);
  }

  @Test
  void reportsNotReadyWithoutRuncInsteadOfFailing() {
    OciRuntime.Settings settings = new OciRuntime.Settings(dir.resolve("state"), "/nonexistent/runc", null, null,
        OciRuntime.RootfsMode.COPY, null, null, null, null, null);
    try (OciRuntime rt = new OciRuntime(settings, java.util.Optional::empty)) {
      var status = rt.status();
      assertThat(status.runtimeReady()).isFalse();
      assertThat(status.networkReady()).isFalse();
      assertThat(status.message()).contains("runc not found").contains("no pod network named bridge");
      assertThat(rt.version().nodeInfo()).isEqualTo("oci://" + OciRuntime.VERSION);
      assertThat(rt.capabilities().networking()).isEqualTo(io.bosun.runtime.spi.RuntimeCapabilities.Networking.POD);
      assertThatThrownBy(() -> rt.sandboxes().run(new io.bosun.runtime.spi.SandboxConfig("p", "d", "u", 0, null,
          dir.resolve("logs"), null, null, null, false, null, null, null)))
          .isInstanceOf(io.bosun.runtime.spi.RuntimeUnavailableException.class);
      assertThat(rt.images().list()).isEmpty();
    }
  }
}

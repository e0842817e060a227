package io.bosun.runtime.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bosun.cni.bridge.BridgeNetwork;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerRuntimeException;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.CriLog;
import io.bosun.runtime.spi.ImageInfo;
import io.bosun.runtime.spi.ImagePullException;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls through the runtime's ImageService from a real registry (Debian's docker-registry on
 * loopback) that the test filled over the distribution API, then runs the image under runc.
 */
class RegistryPullTest {

  @TempDir
  Path dir;

  @Test
  void pullsFromALoopbackRegistryAndRunsTheImage() throws Exception {
    HostFixture.assumeUsable();
    try (LocalRegistry registry = new LocalRegistry(dir.resolve("registry")); HostFixture host = new HostFixture()) {
      TestImages.Image image = TestImages.busybox();
      registry.push("test/busybox", "v1", image);
      registry.push("test/busybox", "docker", TestImages.asDocker(image));
      BridgeNetwork network = host.network(dir.resolve("network"));
      try (OciRuntime runtime = new OciRuntime(host.settings(dir.resolve("state")), () -> Optional.of(network))) {
        String name = registry.address + "/test/busybox:v1";
        ImageSpec spec = ImageSpec.of(name);
        assertThat(runtime.images().status(spec)).isEmpty();

        String ref = runtime.images().pull(spec, null, null);
        assertThat(ref).isEqualTo(registry.address + "/test/busybox@" + image.manifestDigest());
        ImageInfo info = runtime.images().status(spec).orElseThrow();
        assertThat(info.id()).isEqualTo(image.configDigest());
        assertThat(info.repoTags()).containsExactly(name);
        assertThat(info.repoDigests()).containsExactly(ref);
        assertThat(info.sizeBytes()).isGreaterThan(100_000);
        assertThat(runtime.images().pull(spec, null, null)).isEqualTo(ref); // again (Always): same image

        // the same content under a Docker v2 manifest is the same image, with one more tag
        runtime.images().pull(ImageSpec.of(registry.address + "/test/busybox:docker"), null, null);
        assertThat(runtime.images().list()).hasSize(1);
        assertThat(runtime.images().status(spec).orElseThrow().repoTags()).hasSize(2);

        assertThatThrownBy(() -> runtime.images().pull(ImageSpec.of(registry.address + "/test/busybox:nope"), null, null))
            .isInstanceOf(ImagePullException.class).hasMessageContaining("not found");

        SandboxConfig pod = new SandboxConfig("pulled", "default", "uid-pulled", 0, null, dir.resolve("logs"),
            Map.of(Labels.POD_UID, "uid-pulled"), Map.of(), "", false, List.of(), null, null);
        String sandbox = runtime.sandboxes().run(pod);
        String id = runtime.containers().create(sandbox, new ContainerConfig("main", 0, spec,
            List.of(), List.of("-c", "echo pulled and running"), null, null, null, Map.of(), Map.of(),
            dir.resolve("logs/main/0.log"), null, null, false, false), pod);
        assertThat(runtime.containers().status(id).orElseThrow().imageRef()).isEqualTo(ref);
        // args alone replace the image's CMD (sh): the ENTRYPOINT is empty, so they run as the command
        assertThatThrownBy(() -> runtime.containers().start(id)).isInstanceOf(RuntimeException.class);
        String id2 = runtime.containers().create(sandbox, new ContainerConfig("main2", 0, spec,
            List.of("sh"), List.of("-c", "echo pulled and running"), null, null, null, Map.of(), Map.of(),
            dir.resolve("logs/main2/0.log"), null, null, false, false), pod);
        runtime.containers().start(id2);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (runtime.containers().status(id2).orElseThrow().state() != ContainerState.EXITED) {
          assertThat(System.nanoTime()).isLessThan(deadline);
          HostFixture.sleep(20);
        }
        List<String> lines = Files.readAllLines(dir.resolve("logs/main2/0.log"), StandardCharsets.ISO_8859_1);
        assertThat(lines).extracting(l -> CriLog.parse(l).content()).containsExactly("pulled and running");

        assertThatThrownBy(() -> runtime.images().remove(spec)).isInstanceOf(ContainerRuntimeException.class)
            .hasMessageContaining("in use");
        for (SandboxStatus s : runtime.sandboxes().list(SandboxFilter.ALL)) {
          runtime.sandboxes().remove(s.id());
        }
        runtime.images().remove(spec);
        assertThat(runtime.images().status(spec)).isEmpty();
        assertThat(runtime.images().list()).isEmpty();
        runtime.images().remove(spec); // idempotent
      }
    }
  }
}

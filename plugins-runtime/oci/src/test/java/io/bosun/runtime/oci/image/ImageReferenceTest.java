package io.bosun.runtime.oci.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {

  @Test
  void normalizesAsDockerDoes() {
    ImageReference r = ImageReference.parse("busybox");
    assertThat(r.tagged()).isEqualTo("docker.io/library/busybox:latest");
    assertThat(r.apiHost()).isEqualTo("registry-1.docker.io");
    assertThat(ImageReference.parse("nginx:1.27").tagged()).isEqualTo("docker.io/library/nginx:1.27");
    assertThat(ImageReference.parse("user/app").tagged()).isEqualTo("docker.io/user/app:latest");
    ImageReference local = ImageReference.parse("127.0.0.1:5000/test/bb:v1");
    assertThat(local.registry()).isEqualTo("127.0.0.1:5000");
    assertThat(local.repository()).isEqualTo("test/bb");
    assertThat(local.tag()).isEqualTo("v1");
    assertThat(local.loopback()).isTrue();
    assertThat(ImageReference.parse("localhost/x").registry()).isEqualTo("localhost");
    assertThat(ImageReference.parse("quay.io/a/b").loopback()).isFalse();
    String d = "sha256:" + "a".repeat(64);
    ImageReference byDigest = ImageReference.parse("busybox@" + d);
    assertThat(byDigest.tag()).isNull();
    assertThat(byDigest.manifestReference()).isEqualTo(d);
    assertThat(ImageReference.parse("busybox:1@" + d).toString()).isEqualTo("docker.io/library/busybox:1@" + d);
  }

  @Test
  void rejectsBadNames() {
    assertThatThrownBy(() -> ImageReference.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("Busybox")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ImageReference.parse("busybox@md5:abc")).isInstanceOf(IllegalArgumentException.class);
  }
}

package io.bosun.scheduler.plugins.imagelocality;

import static io.bosun.scheduler.plugins.testkit.NodeBuilder.node;
import static io.bosun.scheduler.plugins.testkit.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.Pod;
import io.bosun.scheduler.plugins.testkit.Scoring;
import io.bosun.scheduler.plugins.testkit.TestHandle;
import io.bosun.scheduler.plugins.testkit.TestSnapshot;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.ExtensionPoint;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases from upstream's image_locality_test.go (sizes in MiB, two nodes unless said otherwise). */
class ImageLocalityTest {

  private static final long MB = 1024L * 1024;

  private static Node node403002000() {
    return node("node1").image(40 * MB, "gcr.io/40:latest", "gcr.io/40:v1").image(300 * MB, "gcr.io/300:latest", "gcr.io/300:v1")
        .image(2000 * MB, "gcr.io/2000:latest").build();
  }

  private static Node node25010() {
    return node("node2").image(250 * MB, "gcr.io/250:latest").image(10 * MB, "gcr.io/10:latest", "gcr.io/10:v1").build();
  }

  private static Map<String, Long> score(Pod p, List<Node> nodes) {
    TestSnapshot snapshot = TestSnapshot.of(nodes, List.of());
    ImageLocality plugin = (ImageLocality) new ImageLocalityFactory().create(Scoring.args("{}"), new TestHandle().snapshot(snapshot));
    return Scoring.scoreAndNormalize(plugin, new CycleState(), p, snapshot.list());
  }

  @Test
  void scoreOnly() {
    assertThat(ExtensionPoint.of(new ImageLocalityFactory().create(Scoring.args(""), new TestHandle())))
        .containsExactly(ExtensionPoint.SCORE);
  }

  @Test
  void prefersTheNodeWithTheLargerImage() {
    // node1: gcr.io/40 is 40M/2 = 20M < 23M -> 0; node2: 100 * (250M/2 - 23M) / (1000M*2 - 23M) = 5
    assertThat(score(pod("p").image("gcr.io/40").image("gcr.io/250").build(), List.of(node403002000(), node25010())))
        .containsExactly(entry("node1", 0L), entry("node2", 5L));
  }

  @Test
  void prefersTheNodeWithBothImages() {
    // node1: 100 * ((40M + 300M)/2 - 23M) / (2000M - 23M) = 7
    assertThat(score(pod("p").image("gcr.io/40").image("gcr.io/300").build(), List.of(node403002000(), node25010())))
        .containsExactly(entry("node1", 7L), entry("node2", 0L));
  }

  @Test
  void largeImagesAndTags() {
    // node1: 2000M/2 = 1000M -> 100 * (1000M - 23M) / (2000M - 23M) = 49; node2: gcr.io/10 5M -> 0
    assertThat(score(pod("p").image("gcr.io/2000").image("gcr.io/10").build(), List.of(node403002000(), node25010())))
        .containsExactly(entry("node1", 49L), entry("node2", 0L));
    // A tag the node does not report does not count.
    assertThat(score(pod("p").image("gcr.io/300:v2").build(), List.of(node403002000(), node25010())))
        .containsExactly(entry("node1", 0L), entry("node2", 0L));
  }

  @Test
  void sumIsClampedAtTheMaximum() {
    // One container, the 2000M image present on both nodes: 2000M > 1000M -> 100.
    Node a = node("a").image(2000 * MB, "gcr.io/2000:latest").build();
    Node b = node("b").image(2000 * MB, "gcr.io/2000:latest").build();
    assertThat(score(pod("p").image("gcr.io/2000").build(), List.of(a, b))).containsExactly(entry("a", 100L), entry("b", 100L));
  }

  @Test
  void spreadAcrossNodesScalesTheScore() {
    // 500M present on one node of four: 125M -> 100 * (125M - 23M) / (1000M - 23M) = 10;
    // the same image on all four nodes: 500M -> 48.
    Node withImage = node("n1").image(500 * MB, "registry.local:5000/app:latest").build();
    List<Node> oneOfFour = List.of(withImage, node("n2").build(), node("n3").build(), node("n4").build());
    Pod p = pod("p").image("registry.local:5000/app").build();
    assertThat(score(p, oneOfFour)).containsEntry("n1", 10L).containsEntry("n2", 0L);
    List<Node> all = List.of(withImage, node("n2").image(500 * MB, "registry.local:5000/app:latest").build(),
        node("n3").image(500 * MB, "registry.local:5000/app:latest").build(),
        node("n4").image(500 * MB, "registry.local:5000/app:latest").build());
    assertThat(score(p, all)).containsEntry("n1", 48L).containsEntry("n4", 48L);
  }

  @Test
  void initContainersCountAndRaiseTheMaximum() {
    Node a = node("a").image(2000 * MB, "gcr.io/init:latest").build();
    Node b = node("b").image(2000 * MB, "gcr.io/init:latest").build();
    // init image 2000M on both nodes; two containers -> max 2000M: 100 * (2000M - 23M) / (2000M - 23M) = 100
    assertThat(score(pod("p").initImage("gcr.io/init").image("gcr.io/app").build(), List.of(a, b)))
        .containsExactly(entry("a", 100L), entry("b", 100L));
  }

  @Test
  void normalizedNames() {
    assertThat(ImageLocality.normalizedImageName("nginx")).isEqualTo("nginx:latest");
    assertThat(ImageLocality.normalizedImageName("nginx:1.27")).isEqualTo("nginx:1.27");
    assertThat(ImageLocality.normalizedImageName("registry:5000/nginx")).isEqualTo("registry:5000/nginx:latest");
    assertThat(ImageLocality.normalizedImageName("nginx@sha256:abc")).isEqualTo("nginx@sha256:abc");
    assertThat(ImageLocality.calculatePriority(0, 0)).isZero();
  }
}

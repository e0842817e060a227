package io.bosun.controllers.apps.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.apps.v1.DeploymentStatus;
import io.bosun.api.apps.v1.DeploymentStrategy;
import io.bosun.api.apps.v1.ReplicaSet;
import io.bosun.api.apps.v1.ReplicaSetSpec;
import io.bosun.api.apps.v1.RollingUpdateDeployment;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.values.IntOrString;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Upstream's deployment util cases: fenceposts, proportions, revision history annotations. */
class DeploymentUtilTest {

  static Deployment deployment(int replicas, String surge, String unavailable) {
    return new Deployment().withMetadata(new ObjectMeta().withName("d")).withSpec(new DeploymentSpec()
        .withReplicas(replicas).withStrategy(new DeploymentStrategy().withType("RollingUpdate")
            .withRollingUpdate(new RollingUpdateDeployment().withMaxSurge(value(surge))
                .withMaxUnavailable(value(unavailable)))))
        .withStatus(new DeploymentStatus());
  }

  static IntOrString value(String s) {
    return s.endsWith("%") ? IntOrString.of(s) : IntOrString.of(Integer.parseInt(s));
  }

  @Test
  void fencepostsRoundSurgeUpAndUnavailableDown() {
    assertThat(DeploymentUtil.resolveFenceposts(IntOrString.of("25%"), IntOrString.of("25%"), 10)).containsExactly(3, 2);
    assertThat(DeploymentUtil.resolveFenceposts(IntOrString.of("25%"), IntOrString.of("25%"), 1)).containsExactly(1, 0);
    // Both zero after rounding: one may be unavailable, as upstream.
    assertThat(DeploymentUtil.resolveFenceposts(IntOrString.of("0%"), IntOrString.of("10%"), 5)).containsExactly(0, 1);
    assertThat(DeploymentUtil.maxSurge(deployment(10, "30%", "0"))).isEqualTo(3);
    assertThat(DeploymentUtil.maxUnavailable(deployment(3, "0", "5"))).as("capped at replicas").isEqualTo(3);
    assertThat(DeploymentUtil.maxUnavailable(deployment(0, "1", "1"))).isZero();
  }

  static ReplicaSet set(int replicas, Integer maxReplicasAnnotation) {
    Map<String, String> a = new HashMap<>();
    if (maxReplicasAnnotation != null) {
      a.put(DeploymentUtil.MAX_REPLICAS, maxReplicasAnnotation.toString());
    }
    return new ReplicaSet().withMetadata(new ObjectMeta().withName("rs").withAnnotations(a))
        .withSpec(new ReplicaSetSpec().withReplicas(replicas));
  }

  @Test
  void proportionsFollowTheMaxReplicasAnnotation() {
    // 10 -> 20 replicas with maxSurge 3: a set of 8 out of max 13 gets round(8*23/13) - 8 = 6 more.
    Deployment d = deployment(20, "3", "2");
    assertThat(DeploymentUtil.proportion(set(8, 13), d, 10, 0)).isEqualTo(6);
    // Never more than what is left to add.
    assertThat(DeploymentUtil.proportion(set(8, 13), d, 10, 7)).isEqualTo(3);
    // Scaling to zero removes a set's whole size.
    assertThat(DeploymentUtil.proportion(set(4, 13), deployment(0, "3", "2"), -4, 0)).isEqualTo(-4);
  }

  @Test
  void rollbackKeepsRevisionHistory() {
    Deployment d = deployment(1, "1", "0");
    ReplicaSet rs = set(1, null);
    rs.getMetadata().getAnnotations().put(DeploymentUtil.REVISION, "1");
    assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, rs, "3", true)).isTrue();
    assertThat(rs.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION, "3")
        .containsEntry(DeploymentUtil.REVISION_HISTORY, "1");
    assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, rs, "5", true)).isTrue();
    assertThat(rs.getMetadata().getAnnotations()).containsEntry(DeploymentUtil.REVISION_HISTORY, "1,3");
    assertThat(DeploymentUtil.setNewReplicaSetAnnotations(d, rs, "4", true)).as("never lowered").isFalse();
  }
}

package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kubectl's workload verbs against the controllers in the all-in-one runtime: rollout status,
 * history, undo, pause and resume, and scale. The test pods name a scheduler of their own, which
 * the {@link FakeNode} in this JVM plays together with the kubelet, so pods become Running and
 * Ready whether or not the runtime runs a scheduler and a kubelet.
 */
@ExtendWith(BosunCluster.class)
class ControllersKubectlTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static Kubectl kubectl;
  private static FakeNode node;

  @BeforeAll
  static void start(BosunCluster cluster) throws Exception {
    kubectl = cluster.kubectl();
    node = new FakeNode(cluster.url(), "e2e-fake-node");
    for (String ns : new String[] {"ctl-deploy", "ctl-scale", "ctl-sts", "ctl-ds"}) {
      kubectl.run("create", "namespace", ns).ok();
      node.serve(ns);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** Pod template parts: our scheduler, pinned to the fake node, tolerating its taints. */
  private static final String POD_SPEC = """
            schedulerName: e2e-fake-scheduler
            nodeSelector:
              kubernetes.io/hostname: e2e-fake-node
            tolerations:
            - operator: Exists
            terminationGracePeriodSeconds: 1
            containers:
            - name: main
              image: %s
      """;

  private static String deployment(String name, int replicas, String image) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
        spec:
          replicas: %d
          selector:
            matchLabels:
              app: %s
          strategy:
            rollingUpdate:
              maxSurge: 1
              maxUnavailable: 0
          template:
            metadata:
              labels:
                app: %s
            spec:
        """.formatted(name, replicas, name, name) + POD_SPEC.formatted(image);
  }

  private static Kubectl.Result k(String... args) throws Exception {
    return kubectl.run(args);
  }

  private static String jsonpath(String ns, String resource, String path) throws Exception {
    return k("-n", ns, "get", resource, "-o", "jsonpath=" + path).ok().out().trim();
  }

  private static void rolledOut(String ns, String resource, String expected) throws Exception {
    Kubectl.Result r = k("-n", ns, "rollout", "status", resource, "--timeout=" + WAIT.toSeconds() + "s").ok();
    assertThat(r.out()).contains(expected);
  }

  @Test
  void deploymentRolloutStatusHistoryUndoPauseResume() throws Exception {
    String ns = "ctl-deploy";
    kubectl.run(deployment("web", 3, "nginx:1.26"), java.util.Map.of(), "-n", ns, "apply", "-f", "-").ok();
    rolledOut(ns, "deployment/web", "deployment \"web\" successfully rolled out");
    assertThat(jsonpath(ns, "deployment/web", "{.status.readyReplicas}/{.status.updatedReplicas}/{.status.availableReplicas}"))
        .isEqualTo("3/3/3");

    k("-n", ns, "set", "image", "deployment/web", "main=nginx:1.27").ok();
    k("-n", ns, "annotate", "deployment/web", "kubernetes.io/change-cause=to 1.27", "--overwrite").ok();
    rolledOut(ns, "deployment/web", "successfully rolled out");
    Kubectl.Result history = k("-n", ns, "rollout", "history", "deployment/web").ok();
    assertThat(history.out()).contains("REVISION", "CHANGE-CAUSE");
    assertThat(history.lines()).anyMatch(l -> l.matches("1\\s+<none>\\s*"));
    assertThat(history.lines()).anyMatch(l -> l.matches("2\\s+to 1.27\\s*"));
    assertThat(k("-n", ns, "rollout", "history", "deployment/web", "--revision=1").ok().out()).contains("nginx:1.26");

    // undo is client-side: kubectl patches the template of revision 1 back; the old set is reused.
    assertThat(k("-n", ns, "rollout", "undo", "deployment/web").ok().out()).contains("deployment.apps/web rolled back");
    rolledOut(ns, "deployment/web", "successfully rolled out");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.26");
    assertThat(k("-n", ns, "get", "rs", "-o", "name").ok().lines()).hasSize(2);
    history = k("-n", ns, "rollout", "history", "deployment/web").ok();
    assertThat(history.lines()).anyMatch(l -> l.startsWith("2 ")).anyMatch(l -> l.startsWith("3 "))
        .noneMatch(l -> l.startsWith("1 "));
    assertThat(jsonpath(ns, "deployment/web", "{.metadata.annotations.deployment\\.kubernetes\\.io/revision}")).isEqualTo("3");

    // pause: template changes wait; resume rolls them out.
    assertThat(k("-n", ns, "rollout", "pause", "deployment/web").ok().out()).contains("deployment.apps/web paused");
    k("-n", ns, "set", "image", "deployment/web", "main=nginx:1.28").ok();
    Await.until(WAIT, () -> {
      String observed = jsonpath(ns, "deployment/web", "{.status.observedGeneration}/{.metadata.generation}");
      String[] parts = observed.split("/");
      return parts[0].equals(parts[1]) ? null : "paused deployment not observed yet: " + observed;
    });
    assertThat(k("-n", ns, "get", "rs", "-o", "name").ok().lines()).as("no new set while paused").hasSize(2);
    Kubectl.Result paused = k("-n", ns, "rollout", "status", "deployment/web", "--timeout=2s");
    assertThat(paused.exit()).isNotZero();
    assertThat(paused.out()).contains("0 out of 3 new replicas have been updated");
    assertThat(k("-n", ns, "rollout", "resume", "deployment/web").ok().out()).contains("deployment.apps/web resumed");
    rolledOut(ns, "deployment/web", "successfully rolled out");
    // As upstream, a finished rollout may still have old pods terminating (status.replicas leaves them
    // out); once they are finalized only the three new pods remain.
    Await.until(WAIT, () -> {
      String images = k("-n", ns, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}")
          .ok().out();
      return images.equals("nginx:1.28 nginx:1.28 nginx:1.28") ? null : "pods: " + images;
    });
  }

  @Test
  void scaleUpAndDown() throws Exception {
    String ns = "ctl-scale";
    kubectl.run(deployment("api", 2, "nginx:1.27"), java.util.Map.of(), "-n", ns, "apply", "-f", "-").ok();
    rolledOut(ns, "deployment/api", "successfully rolled out");
    assertThat(k("-n", ns, "scale", "deployment/api", "--replicas=5").ok().out()).contains("deployment.apps/api scaled");
    rolledOut(ns, "deployment/api", "successfully rolled out");
    assertThat(jsonpath(ns, "deployment/api", "{.status.availableReplicas}")).isEqualTo("5");
    k("-n", ns, "scale", "deployment/api", "--replicas=1").ok();
    Await.until(WAIT, () -> {
      String pods = k("-n", ns, "get", "pods", "-l", "app=api", "-o", "name").ok().out().trim();
      return pods.lines().count() == 1 ? null : "pods: " + pods;
    });
    rolledOut(ns, "deployment/api", "successfully rolled out");
    assertThat(jsonpath(ns, "rs", "{.items[0].spec.replicas}")).isEqualTo("1");
  }

  @Test
  void statefulSetRolloutStatusHistoryAndUndo() throws Exception {
    String ns = "ctl-sts";
    String sts = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: db
        spec:
          replicas: 2
          serviceName: db
          selector:
            matchLabels:
              app: db
          template:
            metadata:
              labels:
                app: db
            spec:
        """ + POD_SPEC;
    kubectl.run(sts.formatted("postgres:16"), java.util.Map.of(), "-n", ns, "apply", "-f", "-").ok();
    rolledOut(ns, "statefulset/db", "partitioned roll out complete: 2 new pods have been updated");
    k("-n", ns, "set", "image", "statefulset/db", "main=postgres:17").ok();
    rolledOut(ns, "statefulset/db", "partitioned roll out complete: 2 new pods have been updated");
    Kubectl.Result history = k("-n", ns, "rollout", "history", "statefulset/db").ok();
    assertThat(history.lines()).anyMatch(l -> l.startsWith("1 ")).anyMatch(l -> l.startsWith("2 "));
    assertThat(k("-n", ns, "rollout", "undo", "statefulset/db").ok().out()).contains("statefulset.apps/db rolled back");
    rolledOut(ns, "statefulset/db", "partitioned roll out complete: 2 new pods have been updated");
    assertThat(k("-n", ns, "get", "pods", "-l", "app=db", "-o", "jsonpath={.items[*].spec.containers[0].image}").ok().out())
        .isEqualTo("postgres:16 postgres:16");
    assertThat(jsonpath(ns, "pod/db-1", "{.spec.hostname}.{.spec.subdomain}")).isEqualTo("db-1.db");
  }

  @Test
  void daemonSetRolloutStatus() throws Exception {
    String ns = "ctl-ds";
    String ds = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
        spec:
          selector:
            matchLabels:
              app: agent
          template:
            metadata:
              labels:
                app: agent
            spec:
        """ + POD_SPEC;
    kubectl.run(ds.formatted("agent:1"), java.util.Map.of(), "-n", ns, "apply", "-f", "-").ok();
    rolledOut(ns, "daemonset/agent", "daemon set \"agent\" successfully rolled out");
    assertThat(k("-n", ns, "get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].spec.nodeName}").ok().out())
        .isEqualTo("e2e-fake-node");
    k("-n", ns, "set", "image", "daemonset/agent", "main=agent:2").ok();
    rolledOut(ns, "daemonset/agent", "successfully rolled out");
    assertThat(k("-n", ns, "rollout", "history", "daemonset/agent").ok().lines()).anyMatch(l -> l.startsWith("2 "));
  }
}

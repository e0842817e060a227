package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kubectl against the namespace, service account and garbage collector controllers of the
 * all-in-one runtime: a new namespace gets its {@code default} ServiceAccount; {@code delete
 * namespace} turns it Terminating, refuses new content, deletes everything inside (a running Job
 * pod's tracking finalizer removed by the Job controller; waiting on the finalizers of what is
 * left, which the namespace's conditions name) and then the namespace is gone; deleting a
 * Deployment removes its ReplicaSets and pods in the background, leaves them with
 * {@code --cascade=orphan}, and with {@code --cascade=foreground} keeps the Deployment (finalizer
 * {@code foregroundDeletion}) until its dependents are gone. Deployment pods name the scheduler of
 * a {@link FakeNode} in this JVM, which binds them, makes them Running and Ready and completes
 * their deletions. A test finalizer, removed by the test, holds objects where a wait is observed.
 */
@ExtendWith(BosunCluster.class)
class NamespaceKubectlTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String HOLD = "e2e.bosun.io/hold";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Kubectl kubectl;
  private static FakeNode node;

  @BeforeAll
  static void start(BosunCluster cluster) throws Exception {
    kubectl = cluster.kubectl();
    node = new FakeNode(cluster.url(), "e2e-ns-node");
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static Kubectl.Result k(String... args) throws Exception {
    return kubectl.run(args);
  }

  private static String jsonpath(String ns, String resource, String path) throws Exception {
    return k("-n", ns, "get", resource, "-o", "jsonpath=" + path).ok().out().trim();
  }

  private static List<String> names(String ns, String resource, String... selector) throws Exception {
    String[] args = new String[] {"-n", ns, "get", resource, "-o", "name"};
    if (selector.length > 0) {
      args = new String[] {"-n", ns, "get", resource, "-o", "name", "-l", selector[0]};
    }
    return k(args).ok().lines().stream().filter(l -> !l.isBlank()).toList();
  }

  private static void newNamespace(String ns) throws Exception {
    k("create", "namespace", ns).ok();
    node.serve(ns);
  }

  /** A Deployment whose pods the fake node runs; returns once rolled out. */
  private static void deploy(String ns, String name, int replicas) throws Exception {
    String yaml = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: %s
        spec:
          replicas: %d
          selector:
            matchLabels:
              app: %s
          template:
            metadata:
              labels:
                app: %s
            spec:
              schedulerName: %s
              nodeSelector:
                kubernetes.io/hostname: e2e-ns-node
              tolerations:
              - operator: Exists
              terminationGracePeriodSeconds: 1
              containers:
              - name: main
                image: nginx:1.27
        """.formatted(name, replicas, name, name, FakeNode.SCHEDULER);
    kubectl.run(yaml, Map.of(), "-n", ns, "apply", "-f", "-").ok();
    k("-n", ns, "rollout", "status", "deployment/" + name, "--timeout=" + WAIT.toSeconds() + "s").ok();
    assertThat(names(ns, "pods", "app=" + name)).hasSize(replicas);
  }

  private static void hold(String ns, String resource) throws Exception {
    k("-n", ns, "patch", resource, "--type=merge", "-p", "{\"metadata\":{\"finalizers\":[\"" + HOLD + "\"]}}").ok();
  }

  private static void release(String ns, String resource) throws Exception {
    k("-n", ns, "patch", resource, "--type=json", "-p", "[{\"op\":\"remove\",\"path\":\"/metadata/finalizers\"}]").ok();
  }

  @Test
  void aNewNamespaceGetsItsDefaultServiceAccountBackWhenDeleted() throws Exception {
    String ns = "ns-sa";
    k("create", "namespace", ns).ok();
    Await.until(WAIT, () -> k("-n", ns, "get", "serviceaccount", "default").exit() == 0 ? null
        : "no default service account in " + ns);
    assertThat(names(ns, "serviceaccounts")).containsExactly("serviceaccount/default");
    String uid = jsonpath(ns, "serviceaccount/default", "{.metadata.uid}");
    k("-n", ns, "delete", "serviceaccount", "default").ok();
    Await.until(WAIT, () -> {
      Kubectl.Result r = k("-n", ns, "get", "serviceaccount", "default", "-o", "jsonpath={.metadata.uid}");
      return r.exit() == 0 && !r.out().isBlank() && !r.out().trim().equals(uid) ? null
          : "default service account not re-created: " + r.out() + r.err();
    });
  }

  @Test
  void deleteNamespaceTerminatesItEmptiesItThenItIsGone() throws Exception {
    String ns = "ns-doomed";
    newNamespace(ns);
    k("-n", ns, "create", "configmap", "settings", "--from-literal=a=b").ok();
    k("-n", ns, "create", "secret", "generic", "token", "--from-literal=t=s").ok();
    k("-n", ns, "create", "service", "clusterip", "web", "--tcp=80:8080").ok();
    deploy(ns, "app", 2);
    // A Job whose pod keeps running: its job-tracking finalizer must go when the Job is deleted.
    ObjectNode job = (ObjectNode) JSON.readTree(k("-n", ns, "create", "job", "worker", "--image=busybox:1.36",
        "--dry-run=client", "-o", "json", "--", "sleep", "3600").ok().out());
    job.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec")
        .put("schedulerName", FakeNode.SCHEDULER).put("terminationGracePeriodSeconds", 1)
        .putArray("tolerations").addObject().put("operator", "Exists");
    kubectl.run(JSON.writeValueAsString(job), Map.of(), "-n", ns, "create", "-f", "-").ok();
    Await.until(WAIT, () -> {
      String pod = k("-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=worker",
          "-o", "jsonpath={.items[*].status.phase} {.items[*].metadata.finalizers}").ok().out();
      return pod.startsWith("Running ") && pod.contains("batch.kubernetes.io/job-tracking") ? null
          : "job pod not running with its tracking finalizer: " + pod;
    });
    k("-n", ns, "create", "configmap", "held", "--from-literal=x=y").ok();
    hold(ns, "configmap/held");
    Await.until(WAIT, () -> k("-n", ns, "get", "serviceaccount", "default").exit() == 0 ? null
        : "no default service account");

    assertThat(k("delete", "namespace", ns, "--wait=false").ok().out()).contains("namespace \"" + ns + "\" deleted");
    Await.until(WAIT, () -> {
      String phase = k("get", "namespace", ns, "-o", "jsonpath={.status.phase}").ok().out();
      return phase.equals("Terminating") ? null : "namespace phase " + phase;
    });
    assertThat(k("get", "namespace", ns, "-o", "jsonpath={.metadata.deletionTimestamp}").ok().out()).isNotBlank();
    assertThat(k("get", "namespace", ns).ok().lines()).anyMatch(l -> l.matches(ns + "\\s+Terminating\\s+.*"));

    // No new content in a terminating namespace.
    Kubectl.Result late = k("-n", ns, "create", "configmap", "late", "--from-literal=a=b");
    assertThat(late.exit()).isNotZero();
    assertThat(late.err()).contains("forbidden").contains("because it is being terminated");

    // Everything but the held object goes; the namespace says what it waits for.
    Await.until(WAIT, () -> {
      List<String> left = names(ns, "all,configmaps,secrets,serviceaccounts,endpoints,jobs");
      return left.equals(List.of("configmap/held")) ? null : "left in the namespace: " + left;
    });
    assertThat(jsonpath(ns, "configmap/held", "{.metadata.deletionTimestamp}")).isNotBlank();
    Await.until(WAIT, () -> {
      String message = k("get", "namespace", ns,
          "-o", "jsonpath={.status.conditions[?(@.type==\"NamespaceFinalizersRemaining\")].message}").ok().out();
      return message.contains(HOLD) ? null : "NamespaceFinalizersRemaining: " + message;
    });
    assertThat(k("get", "namespace", ns).exit()).as("the namespace waits for its content").isZero();

    release(ns, "configmap/held");
    k("wait", "--for=delete", "namespace/" + ns, "--timeout=" + WAIT.toSeconds() + "s").ok();
    Kubectl.Result gone = k("get", "namespace", ns);
    assertThat(gone.exit()).isNotZero();
    assertThat(gone.err()).contains("NotFound");
  }

  @Test
  void deletingADeploymentInTheBackgroundRemovesItsReplicaSetsAndPods() throws Exception {
    String ns = "gc-background";
    newNamespace(ns);
    deploy(ns, "bg", 3);
    assertThat(names(ns, "replicasets", "app=bg")).hasSize(1);
    assertThat(k("-n", ns, "delete", "deployment", "bg").ok().out()).contains("deployment.apps \"bg\" deleted");
    Await.until(WAIT, () -> {
      List<String> left = names(ns, "replicasets,pods", "app=bg");
      return left.isEmpty() ? null : "dependents left: " + left;
    });
  }

  @Test
  void deletingADeploymentWithCascadeOrphanLeavesItsReplicaSetAndPods() throws Exception {
    String ns = "gc-orphan";
    newNamespace(ns);
    deploy(ns, "orph", 2);
    List<String> sets = names(ns, "replicasets", "app=orph");
    assertThat(sets).hasSize(1);
    String uids = jsonpath(ns, "pods", "{.items[*].metadata.uid}");
    assertThat(jsonpath(ns, sets.get(0), "{.metadata.ownerReferences[0].kind}")).isEqualTo("Deployment");

    assertThat(k("-n", ns, "delete", "deployment", "orph", "--cascade=orphan").ok().out())
        .contains("deployment.apps \"orph\" deleted");
    assertThat(k("-n", ns, "get", "deployment", "orph").exit()).isNotZero();
    // The set is released (no owner), keeps its pods, and nobody deletes anything.
    assertThat(jsonpath(ns, sets.get(0), "{.metadata.ownerReferences}")).isEmpty();
    assertThat(jsonpath(ns, sets.get(0), "{.metadata.deletionTimestamp}")).isEmpty();
    assertThat(jsonpath(ns, sets.get(0), "{.metadata.finalizers}")).isEmpty();
    assertThat(jsonpath(ns, "pods", "{.items[*].metadata.uid}")).isEqualTo(uids);
    Await.until(WAIT, () -> jsonpath(ns, sets.get(0), "{.status.readyReplicas}").equals("2") ? null
        : "the orphaned set is not ready");
    assertThat(jsonpath(ns, "pods", "{.items[*].metadata.deletionTimestamp}")).isEmpty();
    assertThat(jsonpath(ns, "pods", "{.items[*].metadata.uid}")).isEqualTo(uids);

    // Deleting the orphaned set now removes its pods.
    k("-n", ns, "delete", sets.get(0)).ok();
    Await.until(WAIT, () -> names(ns, "pods", "app=orph").isEmpty() ? null : "pods left: " + names(ns, "pods"));
  }

  @Test
  void deletingADeploymentWithCascadeForegroundWaitsForItsDependents() throws Exception {
    String ns = "gc-foreground";
    newNamespace(ns);
    deploy(ns, "fg", 2);
    String rs = names(ns, "replicasets", "app=fg").get(0);
    List<String> pods = names(ns, "pods", "app=fg");
    String held = pods.get(0);
    String other = pods.get(1);
    hold(ns, held);

    assertThat(k("-n", ns, "delete", "deployment", "fg", "--cascade=foreground", "--wait=false").ok().out())
        .contains("deployment.apps \"fg\" deleted");
    // The Deployment stays, marked for deletion with the foregroundDeletion finalizer ...
    assertThat(jsonpath(ns, "deployment/fg", "{.metadata.deletionTimestamp}")).isNotBlank();
    assertThat(jsonpath(ns, "deployment/fg", "{.metadata.finalizers}")).contains("foregroundDeletion");
    // ... while the collector deletes its set (in the foreground too) and the pods; the held one stays.
    Await.until(WAIT, () -> {
      List<String> left = names(ns, "pods", "app=fg");
      return left.equals(List.of(held)) ? null : "pods: " + left;
    });
    assertThat(jsonpath(ns, held, "{.metadata.deletionTimestamp}")).isNotBlank();
    assertThat(jsonpath(ns, rs, "{.metadata.deletionTimestamp}")).isNotBlank();
    assertThat(jsonpath(ns, rs, "{.metadata.finalizers}")).contains("foregroundDeletion");
    assertThat(k("-n", ns, "get", other).exit()).isNotZero();
    assertThat(k("-n", ns, "get", "deployment", "fg").exit()).as("the Deployment waits for its dependents").isZero();

    release(ns, held);
    k("-n", ns, "wait", "--for=delete", "deployment/fg", "--timeout=" + WAIT.toSeconds() + "s").ok();
    assertThat(names(ns, "replicasets,pods", "app=fg")).isEmpty();
  }
}

package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real kubectl against the all-in-one runtime: every verb the foundation promises, with the
 * output kubectl prints against upstream.
 */
@ExtendWith(BosunCluster.class)
class KubectlTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Kubectl kubectl;
  private static BosunCluster cluster;

  @BeforeAll
  static void namespaces(BosunCluster c) throws Exception {
    cluster = c;
    kubectl = c.kubectl();
    for (String ns : new String[] {"get", "write", "watch", "errors"}) {
      kubectl.run("create", "namespace", "k-" + ns).ok();
    }
  }

  /** A pod no node matches: the all-in-one runtime has a node, and this test wants Pending rows. */
  private static final String POD = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: %s
        labels:
          app: %s
      spec:
        nodeSelector:
          e2e.bosun.io/no-such-node: "true"
        containers:
        - name: main
          image: busybox:1.36
          command: ["sleep", "3600"]
      """;

  private static final String DEPLOYMENT = """
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        labels:
          app: web
      spec:
        replicas: 2
        selector:
          matchLabels:
            app: web
        template:
          metadata:
            labels:
              app: web
          spec:
            containers:
            - name: nginx
              image: %s
              ports:
              - containerPort: 80
      """;

  @Test
  void apiResourcesListsEveryKind() throws Exception {
    var r = kubectl.run("api-resources").ok();
    assertThat(r.out()).contains("NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND");
    assertThat(r.lines()).anyMatch(l -> l.matches("pods\\s+po\\s+v1\\s+true\\s+Pod"));
    assertThat(r.lines()).anyMatch(l -> l.matches("deployments\\s+deploy\\s+apps/v1\\s+true\\s+Deployment"));
    assertThat(r.lines()).anyMatch(l -> l.matches("leases\\s+coordination.k8s.io/v1\\s+true\\s+Lease"));
    assertThat(r.lines()).anyMatch(l -> l.matches("priorityclasses\\s+pc\\s+scheduling.k8s.io/v1\\s+false\\s+PriorityClass"));
    assertThat(r.lines()).anyMatch(l -> l.matches("cronjobs\\s+cj\\s+batch/v1\\s+true\\s+CronJob"));
  }

  @Test
  void getPrintsUpstreamColumnsAndFormats() throws Exception {
    kubectl.run(POD.formatted("alpha", "web"), Map.of(), "create", "-n", "k-get", "-f", "-").ok();
    kubectl.run(POD.formatted("beta", "db"), Map.of(), "create", "-n", "k-get", "-f", "-").ok();

    var table = kubectl.run("get", "pods", "-n", "k-get").ok();
    assertThat(table.lines().get(0)).matches("NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE");
    assertThat(table.out()).containsPattern("alpha\\s+0/1\\s+Pending\\s+0\\s+\\d+s");

    var wide = kubectl.run("get", "pods", "-n", "k-get", "-o", "wide").ok();
    assertThat(wide.lines().get(0)).matches(
        "NAME\\s+READY\\s+STATUS\\s+RESTARTS\\s+AGE\\s+IP\\s+NODE\\s+NOMINATED NODE\\s+READINESS GATES");

    var yaml = kubectl.run("get", "pod", "alpha", "-n", "k-get", "-o", "yaml").ok();
    assertThat(yaml.out()).contains("kind: Pod", "name: alpha", "restartPolicy: Always", "qosClass: BestEffort");

    JsonNode json = JSON.readTree(kubectl.run("get", "pod", "alpha", "-n", "k-get", "-o", "json").ok().out());
    assertThat(json.at("/spec/containers/0/terminationMessagePath").asText()).isEqualTo("/dev/termination-log");
    assertThat(json.at("/spec/schedulerName").asText()).isEqualTo("default-scheduler");

    var byLabel = kubectl.run("get", "pods", "-n", "k-get", "-l", "app=db", "-o", "name").ok();
    assertThat(byLabel.out().strip()).isEqualTo("pod/beta");

    var byField = kubectl.run("get", "pods", "-n", "k-get", "--field-selector", "metadata.name=alpha", "-o", "name")
        .ok();
    assertThat(byField.out().strip()).isEqualTo("pod/alpha");
    var none = kubectl.run("get", "pods", "-n", "k-get", "--field-selector", "status.phase=Running").ok();
    assertThat(none.err()).contains("No resources found in k-get namespace.");

    var nodesNs = kubectl.run("get", "namespaces").ok();
    assertThat(nodesNs.lines().get(0)).matches("NAME\\s+STATUS\\s+AGE");
    assertThat(nodesNs.out()).containsPattern("kube-system\\s+Active");
  }

  @Test
  void writeVerbsBehaveAsUpstream() throws Exception {
    String ns = "k-write";
    var created = kubectl.run(DEPLOYMENT.formatted("nginx:1.25"), Map.of(), "apply", "-n", ns, "-f", "-").ok();
    assertThat(created.out().strip()).isEqualTo("deployment.apps/web created");
    var unchanged = kubectl.run(DEPLOYMENT.formatted("nginx:1.25"), Map.of(), "apply", "-n", ns, "-f", "-").ok();
    assertThat(unchanged.out().strip()).isEqualTo("deployment.apps/web unchanged");
    var configured = kubectl.run(DEPLOYMENT.formatted("nginx:1.26"), Map.of(), "apply", "-n", ns, "-f", "-").ok();
    assertThat(configured.out().strip()).isEqualTo("deployment.apps/web configured");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.26");
    assertThat(jsonpath(ns, "deployment/web", "{.metadata.generation}")).isEqualTo("2");

    var ssa = kubectl.run(DEPLOYMENT.formatted("nginx:1.27"), Map.of(), "apply", "--server-side",
        "--force-conflicts", "-n", ns, "-f", "-").ok();
    assertThat(ssa.out().strip()).isEqualTo("deployment.apps/web serverside-applied");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.27");

    var replaced = kubectl.run(DEPLOYMENT.formatted("nginx:1.28"), Map.of(), "replace", "-n", ns, "-f", "-").ok();
    assertThat(replaced.out().strip()).isEqualTo("deployment.apps/web replaced");

    kubectl.run("patch", "-n", ns, "deployment", "web", "--type", "merge", "-p", "{\"spec\":{\"replicas\":4}}").ok();
    assertThat(jsonpath(ns, "deployment/web", "{.spec.replicas}")).isEqualTo("4");
    kubectl.run("patch", "-n", ns, "deployment", "web", "--type", "json", "-p",
        "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":1}]").ok();
    assertThat(jsonpath(ns, "deployment/web", "{.spec.replicas}")).isEqualTo("1");
    kubectl.run("patch", "-n", ns, "deployment", "web", "-p",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"nginx\",\"image\":\"nginx:1.29\"}]}}}}").ok();
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.29");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].ports[0].containerPort}"))
        .isEqualTo("80");

    Path editor = cluster.work().resolve("editor.sh");
    Files.writeString(editor, "#!/bin/sh\nsed -i 's/nginx:1.29/nginx:1.30/' \"$1\"\n");
    editor.toFile().setExecutable(true);
    var edited = kubectl.run(null, Map.of("KUBE_EDITOR", editor.toString()), "edit", "-n", ns, "deployment/web")
        .ok();
    assertThat(edited.out().strip()).isEqualTo("deployment.apps/web edited");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.template.spec.containers[0].image}")).isEqualTo("nginx:1.30");

    var scaled = kubectl.run("scale", "-n", ns, "deployment/web", "--replicas=3").ok();
    assertThat(scaled.out().strip()).isEqualTo("deployment.apps/web scaled");
    assertThat(jsonpath(ns, "deployment/web", "{.spec.replicas}")).isEqualTo("3");

    assertThat(kubectl.run("label", "-n", ns, "deployment/web", "tier=front").ok().out().strip())
        .isEqualTo("deployment.apps/web labeled");
    assertThat(kubectl.run("annotate", "-n", ns, "deployment/web", "owner=team-a").ok().out().strip())
        .isEqualTo("deployment.apps/web annotated");
    assertThat(jsonpath(ns, "deployment/web", "{.metadata.labels.tier}/{.metadata.annotations.owner}"))
        .isEqualTo("front/team-a");

    for (String name : new String[] {"one", "two", "three"}) {
      kubectl.run("create", "configmap", name, "-n", ns, "--from-literal=k=v").ok();
    }
    kubectl.run("label", "-n", ns, "configmap/two", "configmap/three", "group=x").ok();
    assertThat(kubectl.run("delete", "-n", ns, "configmap", "one").ok().out().strip())
        .isEqualTo("configmap \"one\" deleted");
    var byLabel = kubectl.run("delete", "-n", ns, "configmap", "-l", "group=x").ok();
    assertThat(byLabel.out()).contains("configmap \"two\" deleted", "configmap \"three\" deleted");
    var all = kubectl.run("delete", "-n", ns, "deployments", "--all").ok();
    assertThat(all.out().strip()).isEqualTo("deployment.apps \"web\" deleted");
    assertThat(kubectl.run("get", "deployments", "-n", ns).ok().err()).contains("No resources found");
  }

  @Test
  void watchPrintsChanges() throws Exception {
    String ns = "k-watch";
    Path out = cluster.work().resolve("watch.out");
    // The first object shows the listing is done; the watch then starts from the list's
    // resourceVersion, so nothing created afterwards can be missed.
    kubectl.run("create", "configmap", "first", "-n", ns, "--from-literal=a=b").ok();
    Process watch = kubectl.start(out, "get", "configmaps", "-n", ns, "-w");
    try {
      Await.until(Duration.ofSeconds(30), () -> Files.readString(out).contains("first")
          ? null : "watch not started: " + Files.readString(out));
      kubectl.run("create", "configmap", "seen", "-n", ns, "--from-literal=a=b").ok();
      Await.until(Duration.ofSeconds(30), () -> Files.readString(out).contains("seen")
          ? null : "watch output: " + Files.readString(out));
      kubectl.run("label", "configmap", "seen", "-n", ns, "x=y").ok();
      Await.until(Duration.ofSeconds(30), () -> Files.readString(out).lines().filter(l -> l.startsWith("seen"))
          .count() >= 2 ? null : "watch output: " + Files.readString(out));
    } finally {
      watch.destroy();
    }
  }

  @Test
  void errorsPrintAsUpstream() throws Exception {
    String ns = "k-errors";
    var missing = kubectl.run("get", "pod", "nope", "-n", ns);
    assertThat(missing.exit()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("Error from server (NotFound): pods \"nope\" not found");

    kubectl.run("create", "configmap", "dup", "-n", ns).ok();
    var dup = kubectl.run("create", "configmap", "dup", "-n", ns);
    assertThat(dup.err().strip()).isEqualTo("error: failed to create configmap: configmaps \"dup\" already exists");

    var invalid = kubectl.run("create", "configmap", "Bad_Name", "-n", ns);
    assertThat(invalid.exit()).isEqualTo(1);
    assertThat(invalid.err()).contains("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"");

    var strict = kubectl.run("""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: strict
        bogus: 1
        """, Map.of(), "apply", "-n", ns, "-f", "-");
    assertThat(strict.exit()).isEqualTo(1);
    assertThat(strict.err()).contains("unknown field \"bogus\"");
    assertThat(kubectl.run("get", "configmap", "strict", "-n", ns).exit()).isEqualTo(1);

    var noNamespace = kubectl.run("create", "configmap", "x", "-n", "does-not-exist");
    assertThat(noNamespace.err()).contains("namespaces \"does-not-exist\" not found");

    var badSelector = kubectl.run("get", "pods", "-n", ns, "--field-selector", "spec.bogus=1");
    assertThat(badSelector.err()).contains("field label not supported: spec.bogus");
  }

  private static String jsonpath(String ns, String object, String expression) throws Exception {
    return kubectl.run("get", "-n", ns, object, "-o", "jsonpath=" + expression).ok().out();
  }
}

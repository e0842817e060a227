package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * kubectl's batch verbs against the Job and CronJob controllers of the all-in-one runtime:
 * {@code create job} runs to completion, {@code create cronjob} makes Jobs on its schedule,
 * {@code create job --from=cronjob/...} runs the CronJob's template by hand, and a suspended
 * CronJob makes no Job until it is resumed by a patch. Pods that must finish name the scheduler of
 * a {@link BatchNode} in this JVM, which binds them and runs them to Succeeded.
 */
@ExtendWith(BosunCluster.class)
class BatchKubectlTest {

  private static final Duration WAIT = Duration.ofSeconds(90);
  /** A {@code * * * * *} schedule fires within a minute; the controller then needs a moment. */
  private static final Duration SCHEDULE_WAIT = Duration.ofSeconds(80);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static Kubectl kubectl;
  private static BatchNode node;

  @BeforeAll
  static void start(BosunCluster cluster) throws Exception {
    kubectl = cluster.kubectl();
    node = new BatchNode(cluster.url(), "e2e-batch-node");
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

  /** Pod template fields that hand the pods to the {@link BatchNode}. */
  static ObjectNode batchPodSpec() {
    ObjectNode spec = JSON.createObjectNode();
    spec.put("schedulerName", BatchNode.SCHEDULER).put("terminationGracePeriodSeconds", 1);
    spec.putObject("nodeSelector").put("kubernetes.io/hostname", "e2e-batch-node");
    spec.putArray("tolerations").addObject().put("operator", "Exists");
    return spec;
  }

  /** {@code kubectl create job} as generated, with the pod template handed to the batch node. */
  static void createBatchJob(Kubectl kubectl, String ns, String name, String... extra) throws Exception {
    ObjectNode job = (ObjectNode) JSON.readTree(kubectl.run("-n", ns, "create", "job", name, "--image=busybox:1.36",
        "--dry-run=client", "-o", "json", "--", "echo", "done").ok().out());
    job.withObjectProperty("spec").withObjectProperty("template").withObjectProperty("spec").setAll(batchPodSpec());
    for (int i = 0; i + 1 < extra.length; i += 2) {
      job.withObjectProperty("spec").put(extra[i], Integer.parseInt(extra[i + 1]));
    }
    kubectl.run(JSON.writeValueAsString(job), Map.of(), "-n", ns, "create", "-f", "-").ok();
  }

  /** The names of the Jobs in {@code ns} (one a line) whose pods go to the batch node. */
  private static String batchJobs(String ns) throws Exception {
    return k("-n", ns, "get", "jobs", "-o", "jsonpath={range .items[?(@.spec.template.spec.schedulerName==\""
        + BatchNode.SCHEDULER + "\")]}{.metadata.name}{\"\\n\"}{end}").ok().out();
  }

  private static String jsonpath(String ns, String resource, String path) throws Exception {
    return k("-n", ns, "get", resource, "-o", "jsonpath=" + path).ok().out().trim();
  }

  @Test
  void createJobRunsItToCompletion() throws Exception {
    String ns = "batch-job";
    k("create", "namespace", ns).ok();
    node.serve(ns);
    // As generated, the Job gets a pod from the controller (whoever runs it), tracked by its finalizer.
    assertThat(k("-n", ns, "create", "job", "plain", "--image=busybox:1.36", "--", "echo", "hi").ok().out())
        .contains("job.batch/plain created");
    Await.until(WAIT, () -> k("-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=plain", "-o", "name")
        .out().isBlank() ? "no pod for job plain yet" : null);
    assertThat(k("-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=plain",
        "-o", "jsonpath={.items[0].metadata.finalizers}").ok().out()).contains("batch.kubernetes.io/job-tracking");
    k("-n", ns, "delete", "job", "plain", "--wait=false").ok();

    createBatchJob(kubectl, ns, "three", "completions", "3", "parallelism", "2");
    k("-n", ns, "wait", "--for=condition=complete", "job/three", "--timeout=90s").ok();
    assertThat(jsonpath(ns, "job/three", "{.status.succeeded}/{.status.failed}/{.status.active}")).matches("3/0?/0?");
    assertThat(jsonpath(ns, "job/three", "{.status.conditions[?(@.type==\"Complete\")].reason}"))
        .isEqualTo("CompletionsReached");
    assertThat(jsonpath(ns, "job/three", "{.status.completionTime}")).isNotBlank();
    Kubectl.Result pods = k("-n", ns, "get", "pods", "-l", "batch.kubernetes.io/job-name=three",
        "-o", "jsonpath={range .items[*]}{.status.phase}{\" \"}{.metadata.finalizers}{\"\\n\"}{end}").ok();
    assertThat(pods.lines()).as("three pods, Succeeded").hasSize(3).allMatch(l -> l.startsWith("Succeeded"));
    assertThat(pods.out()).as("counted: their tracking finalizers removed").doesNotContain("job-tracking");
    // kubectl's own columns: COMPLETIONS 3/3.
    assertThat(k("-n", ns, "get", "job", "three").ok().lines()).anyMatch(l -> l.matches("three\\s+Complete\\s+3/3\\s+.*")
        || l.matches("three\\s+3/3\\s+.*"));
  }

  @Test
  void cronJobsRunOnScheduleByHandAndNotWhileSuspended() throws Exception {
    String ns = "batch-cron";
    k("create", "namespace", ns).ok();
    node.serve(ns);
    assertThat(k("-n", ns, "create", "cronjob", "tick", "--image=busybox:1.36", "--schedule=* * * * *",
        "--", "date").ok().out()).contains("cronjob.batch/tick created");
    String patch = JSON.writeValueAsString(JSON.createObjectNode().set("spec", JSON.createObjectNode().set("jobTemplate",
        JSON.createObjectNode().set("spec", JSON.createObjectNode().set("template",
            JSON.createObjectNode().set("spec", batchPodSpec()))))));
    k("-n", ns, "patch", "cronjob", "tick", "--type=merge", "-p", patch).ok();

    // A second CronJob, created suspended (as kubectl generates it, plus suspend and our pod spec).
    ObjectNode paused = (ObjectNode) JSON.readTree(k("-n", ns, "create", "cronjob", "paused", "--image=busybox:1.36",
        "--schedule=* * * * *", "--dry-run=client", "-o", "json", "--", "date").ok().out());
    paused.withObjectProperty("spec").put("suspend", true).withObjectProperty("jobTemplate").withObjectProperty("spec")
        .withObjectProperty("template").withObjectProperty("spec").setAll(batchPodSpec());
    kubectl.run(JSON.writeValueAsString(paused), Map.of(), "-n", ns, "create", "-f", "-").ok();
    Instant pausedCreated = Instant.parse(jsonpath(ns, "cronjob/paused", "{.metadata.creationTimestamp}"));

    // kubectl create job --from=cronjob: a manual run of the CronJob's template.
    assertThat(k("-n", ns, "create", "job", "manual", "--from=cronjob/tick").ok().out())
        .contains("job.batch/manual created");
    k("-n", ns, "wait", "--for=condition=complete", "job/manual", "--timeout=90s").ok();
    assertThat(jsonpath(ns, "job/manual", "{.metadata.annotations.cronjob\\.kubernetes\\.io/instantiate}"))
        .isEqualTo("manual");
    assertThat(jsonpath(ns, "job/manual", "{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}"))
        .isEqualTo("CronJob/tick");

    // Within a minute the controller starts a scheduled run of tick, named after its minute (one
    // started before the template patch would not reach the batch node; it is ignored). Its
    // scheduled time is after paused was created: the controller has passed a schedule of paused too.
    Await.until(SCHEDULE_WAIT, () -> {
      for (String name : batchJobs(ns).lines().filter(l -> l.matches("tick-\\d+")).toList()) {
        String at = jsonpath(ns, "job/" + name,
            "{.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}");
        if (Instant.parse(at).isAfter(pausedCreated)) {
          return null;
        }
      }
      return "no scheduled run of tick after " + pausedCreated + " yet: " + batchJobs(ns);
    });
    String scheduled = "job/" + batchJobs(ns).lines().filter(l -> l.matches("tick-\\d+")).reduce((a, b) -> b)
        .orElseThrow();
    k("-n", ns, "wait", "--for=condition=complete", scheduled, "--timeout=90s").ok();
    assertThat(jsonpath(ns, scheduled, "{.metadata.annotations.batch\\.kubernetes\\.io/cronjob-scheduled-timestamp}"))
        .matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:00Z");
    Await.until(WAIT, () -> jsonpath(ns, "cronjob/tick", "{.status.lastSuccessfulTime}").isBlank()
        ? "no lastSuccessfulTime yet" : null);
    assertThat(jsonpath(ns, "cronjob/tick", "{.status.lastScheduleTime}")).isNotBlank();

    // Meanwhile the suspended CronJob made nothing.
    assertThat(batchJobs(ns).lines().filter(l -> l.startsWith("paused-")).toList()).isEmpty();
    assertThat(jsonpath(ns, "cronjob/paused", "{.status.lastScheduleTime}")).isEmpty();
    assertThat(k("-n", ns, "get", "cronjob", "paused").ok().lines()).anyMatch(l -> l.matches("paused\\s+\\S.*\\s+True\\s+.*"));

    // Resumed by a patch, it runs (the missed schedule at once, as upstream without a starting deadline, or the next).
    k("-n", ns, "patch", "cronjob", "paused", "--type=merge", "-p", "{\"spec\":{\"suspend\":false}}").ok();
    Await.until(SCHEDULE_WAIT, () -> batchJobs(ns).lines().anyMatch(l -> l.matches("paused-\\d+")) ? null
        : "no run of paused after resuming: " + batchJobs(ns));
    String resumed = "job/" + batchJobs(ns).lines().filter(l -> l.matches("paused-\\d+")).findFirst().orElseThrow();
    k("-n", ns, "wait", "--for=condition=complete", resumed, "--timeout=90s").ok();
    assertThat(jsonpath(ns, "cronjob/paused", "{.status.lastScheduleTime}")).isNotBlank();

    k("-n", ns, "patch", "cronjob", "tick", "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}").ok();
    k("-n", ns, "patch", "cronjob", "paused", "--type=merge", "-p", "{\"spec\":{\"suspend\":true}}").ok();
    assertThat(jsonpath(ns, "cronjob/tick", "{.spec.suspend}")).isEqualTo("true");
  }
}

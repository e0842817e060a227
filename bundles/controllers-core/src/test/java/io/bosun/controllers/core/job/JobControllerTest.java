package io.bosun.controllers.core.job;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.controller.Pods;
import io.bosun.controller.testing.FakeNodes;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Job controller against a real API server, with fake nodes running the pods. */
class JobControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static FakeNodes nodes;

  @BeforeAll
  static void start() throws Exception {
    // Short failure backoff and batching so the tests run in seconds.
    h = new Harness(dir, List.of(new JobController(new JobController.Settings(Duration.ofSeconds(1),
        Duration.ofSeconds(4), Duration.ofMillis(100))), new TtlAfterFinishedController(),
        new io.bosun.controllers.core.gc.GarbageCollector()));
    nodes = h.nodes(2);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static Job job(String ns, String name, Integer completions, Integer parallelism) {
    return new Job().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new JobSpec().withCompletions(completions).withParallelism(parallelism)
            .withTemplate(new PodTemplateSpec().withSpec(new PodSpec().withRestartPolicy("Never")
                .withContainers(List.of(new Container().withName("main").withImage("busybox"))))));
  }

  static Job get(String ns, String name) {
    return h.client.resources(Job.class).get(ns, name).orElseThrow();
  }

  static List<Pod> pods(String ns) {
    return h.client.pods().list(ns, ListOptions.none()).items();
  }

  static JobCondition condition(Job job, String type) {
    return job.getStatus() == null || job.getStatus().getConditions() == null ? null
        : job.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  static boolean hasTrue(Job job, String type) {
    JobCondition c = condition(job, type);
    return c != null && "True".equals(c.getStatus());
  }

  /** Ends every running, not yet ended pod of the namespace with the given outcome; returns how many. */
  static int finishRunning(String ns, boolean succeeded, Set<String> done) {
    int n = 0;
    for (Pod p : pods(ns)) {
      if ("Running".equals(Pods.phase(p)) && p.getMetadata().getDeletionTimestamp() == null
          && done.add(p.getMetadata().getUid())) {
        nodes.terminate(p, succeeded);
        n++;
      }
    }
    return n;
  }

  @Test
  void runsCompletionsWithBoundedParallelismAndCompletes() {
    String ns = h.namespace("job-complete");
    h.client.resources(Job.class).create(job(ns, "pi", 4, 2));
    Set<String> done = ConcurrentHashMap.newKeySet();
    Set<Integer> activeSeen = ConcurrentHashMap.newKeySet();
    await(() -> {
      activeSeen.add((int) pods(ns).stream().filter(Pods::isActive).count());
      finishRunning(ns, true, done);
      return hasTrue(get(ns, "pi"), "Complete");
    }, () -> "job complete: " + get(ns, "pi").getStatus());
    Job job = get(ns, "pi");
    assertThat(activeSeen).allMatch(n -> n <= 2);
    assertThat(job.getStatus().getSucceeded()).isEqualTo(4);
    assertThat(job.getStatus().getFailed()).isNull();
    assertThat(job.getStatus().getActive()).isZero();
    assertThat(job.getStatus().getReady()).isZero();
    assertThat(job.getStatus().getTerminating()).isZero();
    assertThat(job.getStatus().getStartTime()).isNotNull();
    assertThat(job.getStatus().getCompletionTime()).isNotNull();
    JobCondition met = condition(job, "SuccessCriteriaMet");
    assertThat(met.getStatus()).isEqualTo("True");
    assertThat(met.getReason()).isEqualTo("CompletionsReached");
    assertThat(condition(job, "Complete").getMessage()).isEqualTo("Reached expected number of succeeded pods");
    assertThat(job.getStatus().getUncountedTerminatedPods() == null
        || job.getStatus().getUncountedTerminatedPods().getSucceeded() == null
        || job.getStatus().getUncountedTerminatedPods().getSucceeded().isEmpty()).isTrue();
    List<Pod> pods = pods(ns);
    assertThat(pods).hasSize(4);
    assertThat(pods).allSatisfy(p -> {
      assertThat(p.getMetadata().getFinalizers() == null || p.getMetadata().getFinalizers().isEmpty()).isTrue();
      assertThat(p.getMetadata().getOwnerReferences()).singleElement()
          .satisfies(r -> assertThat(r.getUid()).isEqualTo(job.getMetadata().getUid()));
      assertThat(p.getMetadata().getGenerateName()).isEqualTo("pi-");
    });
  }

  @Test
  void podsCarryTheTrackingFinalizerWhileRunning() {
    String ns = h.namespace("job-finalizer");
    h.client.resources(Job.class).create(job(ns, "hold", 1, 1));
    await(() -> pods(ns).stream().anyMatch(p -> "Running".equals(Pods.phase(p))), () -> "pod running");
    Pod p = pods(ns).get(0);
    assertThat(p.getMetadata().getFinalizers()).contains(JobPods.TRACKING_FINALIZER);
    await(() -> {
      Job j = get(ns, "hold");
      return j.getStatus() != null && Integer.valueOf(1).equals(j.getStatus().getActive())
          && Integer.valueOf(1).equals(j.getStatus().getReady());
    }, () -> "active and ready 1: " + get(ns, "hold").getStatus());
  }

  @Test
  void failedPodsAreRecreatedWithBackoffUntilTheBackoffLimit() {
    String ns = h.namespace("job-backoff");
    Job j = job(ns, "flaky", 1, 1);
    j.getSpec().setBackoffLimit(2);
    h.client.resources(Job.class).create(j);
    Set<String> done = ConcurrentHashMap.newKeySet();
    List<Instant> created = new ArrayList<>();
    await(() -> {
      finishRunning(ns, false, done);
      return hasTrue(get(ns, "flaky"), "Failed");
    }, () -> "job failed: " + get(ns, "flaky").getStatus());
    Job job = get(ns, "flaky");
    assertThat(job.getStatus().getFailed()).isEqualTo(3);
    assertThat(condition(job, "Failed").getReason()).isEqualTo("BackoffLimitExceeded");
    assertThat(condition(job, "Failed").getMessage()).isEqualTo("Job has reached the specified backoff limit");
    assertThat(hasTrue(job, "FailureTarget")).isTrue();
    assertThat(hasTrue(job, "Complete")).isFalse();
    assertThat(job.getStatus().getCompletionTime()).isNull();
    List<Pod> pods = pods(ns);
    assertThat(pods).hasSize(3);
    pods.stream().map(p -> p.getMetadata().getCreationTimestamp()).sorted().forEach(created::add);
    // 1 s after the first failure, then 2 s after the second (second-resolution timestamps).
    assertThat(Duration.between(created.get(0), created.get(1))).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(Duration.between(created.get(1), created.get(2))).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void activeDeadlineFailsTheJobAndDeletesItsPods() {
    String ns = h.namespace("job-deadline");
    Job j = job(ns, "slow", 1, 2);
    j.getSpec().setCompletions(2);
    j.getSpec().setActiveDeadlineSeconds(2L);
    h.client.resources(Job.class).create(j);
    await(() -> hasTrue(get(ns, "slow"), "Failed"), () -> "job failed: " + get(ns, "slow").getStatus());
    Job job = get(ns, "slow");
    assertThat(condition(job, "Failed").getReason()).isEqualTo("DeadlineExceeded");
    assertThat(condition(job, "Failed").getMessage()).isEqualTo("Job was active longer than specified deadline");
    assertThat(job.getStatus().getActive()).isZero();
    assertThat(job.getStatus().getFailed()).isEqualTo(2);
    await(() -> pods(ns).isEmpty(), () -> "pods deleted: " + pods(ns).size());
  }

  @Test
  void indexedJobGivesEachPodItsIndex() {
    String ns = h.namespace("job-indexed");
    Job j = job(ns, "idx", 3, 3);
    j.getSpec().setCompletionMode("Indexed");
    h.client.resources(Job.class).create(j);
    await(() -> pods(ns).size() == 3, () -> "3 pods: " + pods(ns).size());
    Map<String, Pod> byIndex = pods(ns).stream()
        .collect(Collectors.toMap(p -> p.getMetadata().getAnnotations().get(JobPods.COMPLETION_INDEX), p -> p));
    assertThat(byIndex).containsOnlyKeys("0", "1", "2");
    byIndex.forEach((ix, p) -> {
      assertThat(p.getMetadata().getLabels()).containsEntry(JobPods.COMPLETION_INDEX, ix);
      assertThat(p.getSpec().getHostname()).isEqualTo("idx-" + ix);
      assertThat(p.getMetadata().getName()).startsWith("idx-" + ix + "-");
      assertThat(p.getSpec().getContainers().get(0).getEnv()).anySatisfy(e -> {
        assertThat(e.getName()).isEqualTo("JOB_COMPLETION_INDEX");
        assertThat(e.getValueFrom().getFieldRef().getFieldPath())
            .isEqualTo("metadata.labels['batch.kubernetes.io/job-completion-index']");
      });
    });
    // Index 1 fails once and is replaced by a pod with the same index.
    await(() -> "Running".equals(Pods.phase(h.client.pods().get(ns, byIndex.get("1").getMetadata().getName()).orElseThrow())),
        () -> "index 1 running");
    nodes.terminate(h.client.pods().get(ns, byIndex.get("1").getMetadata().getName()).orElseThrow(), false);
    Set<String> seen = new HashSet<>();
    seen.add(byIndex.get("1").getMetadata().getUid());
    await(() -> {
      finishRunning(ns, true, seen);
      return hasTrue(get(ns, "idx"), "Complete");
    }, () -> "indexed complete: " + get(ns, "idx").getStatus());
    Job job = get(ns, "idx");
    assertThat(job.getStatus().getCompletedIndexes()).isEqualTo("0-2");
    assertThat(job.getStatus().getSucceeded()).isEqualTo(3);
    assertThat(job.getStatus().getFailed()).isEqualTo(1);
    assertThat(pods(ns).stream().filter(p -> "1".equals(p.getMetadata().getAnnotations().get(JobPods.COMPLETION_INDEX))))
        .hasSize(2);
  }

  @Test
  void suspendedJobHasNoPodsUntilResumed() {
    String ns = h.namespace("job-suspend");
    Job j = job(ns, "later", 1, 1);
    j.getSpec().setSuspend(true);
    h.client.resources(Job.class).create(j);
    await(() -> hasTrue(get(ns, "later"), "Suspended"), () -> "suspended condition: " + get(ns, "later").getStatus());
    assertThat(pods(ns)).isEmpty();
    assertThat(get(ns, "later").getStatus().getStartTime()).isNull();
    h.client.resources(Job.class).patch(ns, "later", PatchType.MERGE, "{\"spec\":{\"suspend\":false}}");
    await(() -> {
      Job cur = get(ns, "later");
      JobCondition c = condition(cur, "Suspended");
      return c != null && "False".equals(c.getStatus()) && "JobResumed".equals(c.getReason())
          && cur.getStatus().getStartTime() != null && pods(ns).size() == 1;
    }, () -> "resumed: " + get(ns, "later").getStatus());
    Set<String> done = new HashSet<>();
    await(() -> {
      finishRunning(ns, true, done);
      return hasTrue(get(ns, "later"), "Complete");
    }, () -> "resumed job completes");
  }

  @Test
  void ttlAfterFinishedDeletesTheJobAndItsPods() {
    String ns = h.namespace("job-ttl");
    Job j = job(ns, "brief", 2, 2);
    j.getSpec().setTtlSecondsAfterFinished(1);
    h.client.resources(Job.class).create(j);
    Set<String> done = new HashSet<>();
    await(() -> {
      finishRunning(ns, true, done);
      return h.client.resources(Job.class).get(ns, "brief").map(x -> hasTrue(x, "Complete")).orElse(false);
    }, () -> "complete");
    assertThat(pods(ns)).hasSize(2);
    // Deleted in the foreground: the pods go (garbage collector), then the Job.
    await(() -> h.client.resources(Job.class).get(ns, "brief").isEmpty() && pods(ns).isEmpty(),
        () -> "job and pods deleted: " + h.client.resources(Job.class).get(ns, "brief") + " " + pods(ns).size());
  }

  @Test
  void podsOfADeletedJobAreCollectedAndLoseTheirFinalizers() {
    String ns = h.namespace("job-delete");
    h.client.resources(Job.class).create(job(ns, "gone", 1, 1));
    await(() -> pods(ns).stream().anyMatch(p -> "Running".equals(Pods.phase(p))), () -> "running");
    h.client.resources(Job.class).delete(ns, "gone", new io.bosun.api.meta.v1.DeleteOptions().withPropagationPolicy("Background"));
    await(() -> pods(ns).isEmpty(), () -> "pods gone: " + pods(ns));
  }
}

package io.bosun.controllers.core.cronjob;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.CronJobSpec;
import io.bosun.api.batch.v1.CronJobStatus;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.batch.v1.JobSpec;
import io.bosun.api.batch.v1.JobStatus;
import io.bosun.api.batch.v1.JobTemplateSpec;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.Event;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.core.v1.PodSpec;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ListOptions;
import io.bosun.client.PatchType;
import io.bosun.controller.ControllerRefs;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CronJob controller against a real API server. Time moves through the controller's clock,
 * never by waiting: a test moves the clock, then touches the CronJob so it is synced. Jobs are
 * finished by writing their status, as the Job controller would.
 */
class CronJobControllerTest {

  @TempDir
  static Path dir;
  static Harness h;
  static final AtomicInteger touches = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(new CronJobController(ZoneOffset.UTC)));
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  @BeforeEach
  void resetClock() {
    h.clock.reset();
  }

  static CronJob cronJob(String ns, String name, String schedule, String policy) {
    return new CronJob().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withSpec(new CronJobSpec().withSchedule(schedule).withConcurrencyPolicy(policy)
            .withJobTemplate(new JobTemplateSpec().withMetadata(new ObjectMeta().withLabels(new java.util.HashMap<>(
                java.util.Map.of("app", name)))).withSpec(new JobSpec().withTemplate(new PodTemplateSpec()
                .withSpec(new PodSpec().withRestartPolicy("OnFailure")
                    .withContainers(List.of(new Container().withName("c").withImage("busybox"))))))));
  }

  static CronJob get(String ns, String name) {
    return h.client.resources(CronJob.class).get(ns, name).orElseThrow();
  }

  static List<Job> jobs(String ns) {
    return h.client.resources(Job.class).list(ns, ListOptions.none()).items();
  }

  static List<Event> events(String ns, String reason) {
    return h.client.resources(Event.class).list(ns, ListOptions.none()).items().stream()
        .filter(e -> reason.equals(e.getReason())).toList();
  }

  /** Makes the controller sync the CronJob now (any update that changes neither schedule nor zone). */
  static void touch(String ns, String name) {
    h.client.resources(CronJob.class).patch(ns, name, PatchType.MERGE,
        "{\"metadata\":{\"annotations\":{\"test/touch\":\"" + touches.incrementAndGet() + "\"}}}");
  }

  /** Moves the clock to {@code offset} after the next minute boundary after the CronJob's creation plus {@code minutes}. */
  static Instant advanceToMinute(CronJob cj, int minutes, Duration offset) {
    Instant boundary = cj.getMetadata().getCreationTimestamp().truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(minutes));
    Instant target = boundary.plus(offset);
    Duration d = Duration.between(h.clock.instant(), target);
    if (!d.isNegative()) {
      h.clock.advance(d);
    }
    return boundary;
  }

  static String jobName(String cj, Instant scheduled) {
    return cj + "-" + scheduled.getEpochSecond() / 60;
  }

  /** Writes a finished status, as the Job controller does when a Job completes or fails. */
  static void finish(String ns, String name, boolean succeeded) {
    Job j = h.client.resources(Job.class).get(ns, name).orElseThrow();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    JobStatus s = j.getStatus() == null ? new JobStatus() : j.getStatus();
    s.setStartTime(s.getStartTime() == null ? now : s.getStartTime());
    List<JobCondition> conditions = new ArrayList<>();
    if (succeeded) {
      conditions.add(new JobCondition().withType("SuccessCriteriaMet").withStatus("True").withReason("CompletionsReached")
          .withLastTransitionTime(now).withLastProbeTime(now));
      conditions.add(new JobCondition().withType("Complete").withStatus("True").withReason("CompletionsReached")
          .withLastTransitionTime(now).withLastProbeTime(now));
      s.setCompletionTime(now);
      s.setSucceeded(1);
    } else {
      conditions.add(new JobCondition().withType("FailureTarget").withStatus("True").withReason("BackoffLimitExceeded")
          .withLastTransitionTime(now).withLastProbeTime(now));
      conditions.add(new JobCondition().withType("Failed").withStatus("True").withReason("BackoffLimitExceeded")
          .withLastTransitionTime(now).withLastProbeTime(now));
      s.setFailed(1);
    }
    s.setConditions(conditions);
    s.setActive(0);
    s.setReady(0);
    s.setTerminating(0);
    j.setStatus(s);
    h.client.resources(Job.class).updateStatus(j);
  }

  /**
   * Waits until the controller has synced the CronJob after this call: adds a finished Job to its
   * active list and waits for the controller to drop it ("SawCompletedJob").
   */
  static void barrier(String ns, String name) {
    CronJob cj = get(ns, name);
    String jobName = name + "-barrier-" + touches.incrementAndGet();
    Job j = new Job().withMetadata(new ObjectMeta().withNamespace(ns).withName(jobName)
        .withOwnerReferences(List.of(ControllerRefs.newControllerRef(cj))))
        .withSpec(cronJob(ns, name, "* * * * *", "Allow").getSpec().getJobTemplate().getSpec().deepCopy());
    j.getSpec().setSuspend(true);
    Job created = h.client.resources(Job.class).create(j);
    finish(ns, jobName, false);
    cj = get(ns, name);
    CronJobStatus status = cj.getStatus() == null ? new CronJobStatus() : cj.getStatus();
    List<ObjectReference> active = status.getActive() == null ? new ArrayList<>() : new ArrayList<>(status.getActive());
    active.add(new ObjectReference().withKind("Job").withApiVersion("batch/v1").withNamespace(ns).withName(jobName)
        .withUid(created.getMetadata().getUid()));
    status.setActive(active);
    cj.setStatus(status);
    h.client.resources(CronJob.class).updateStatus(cj);
    await(() -> {
      CronJobStatus s = get(ns, name).getStatus();
      return s == null || s.getActive() == null || s.getActive().stream().noneMatch(a -> jobName.equals(a.getName()));
    }, () -> "barrier job dropped from the active list");
    h.client.resources(Job.class).delete(ns, jobName, null);
  }

  /**
   * Waits until the CronJob's status lists the Job as active. A test must not move on earlier:
   * as upstream, a sync working from a cache without that status would not know the Job is its own.
   */
  static void awaitActive(String ns, String cronJob, String job) {
    await(() -> {
      CronJobStatus s = get(ns, cronJob).getStatus();
      return s != null && s.getActive() != null && s.getActive().stream().anyMatch(a -> job.equals(a.getName()));
    }, () -> job + " active in " + get(ns, cronJob).getStatus());
  }

  static List<Job> realJobs(String ns) {
    return jobs(ns).stream().filter(j -> !j.getMetadata().getName().contains("-barrier-")).toList();
  }

  @Test
  void createsTheJobOfEachScheduledMinuteWithItsName() {
    String ns = h.namespace("cron-basic");
    CronJob cj = h.client.resources(CronJob.class).create(cronJob(ns, "tick", "* * * * *", "Allow"));
    Instant first = advanceToMinute(cj, 1, Duration.ofSeconds(20));
    touch(ns, "tick");
    awaitActive(ns, "tick", jobName("tick", first));
    Job job = realJobs(ns).get(0);
    assertThat(job.getMetadata().getName()).isEqualTo(jobName("tick", first));
    assertThat(job.getMetadata().getAnnotations()).containsEntry(CronJobController.SCHEDULED_TIMESTAMP_ANNOTATION,
        first.toString());
    assertThat(job.getMetadata().getLabels()).containsEntry("app", "tick");
    assertThat(ControllerRefs.isControlledBy(job, cj)).isTrue();
    await(() -> get(ns, "tick").getStatus() != null && first.equals(get(ns, "tick").getStatus().getLastScheduleTime()),
        () -> "last schedule time: " + get(ns, "tick").getStatus());
    assertThat(get(ns, "tick").getStatus().getActive()).singleElement()
        .satisfies(a -> assertThat(a.getName()).isEqualTo(job.getMetadata().getName()));
    assertThat(events(ns, "SuccessfulCreate")).isNotEmpty();

    // Allow: the next minute starts another Job while the first runs.
    Instant second = advanceToMinute(cj, 2, Duration.ofSeconds(20));
    touch(ns, "tick");
    await(() -> realJobs(ns).size() == 2, () -> "two jobs: " + jobs(ns));
    assertThat(realJobs(ns)).extracting(j -> j.getMetadata().getName()).contains(jobName("tick", second));
    await(() -> get(ns, "tick").getStatus().getActive().size() == 2, () -> "two active");

    // A finished Job leaves the active list and sets lastSuccessfulTime.
    finish(ns, jobName("tick", first), true);
    await(() -> get(ns, "tick").getStatus().getActive().size() == 1
        && get(ns, "tick").getStatus().getLastSuccessfulTime() != null, () -> "status: " + get(ns, "tick").getStatus());
    assertThat(events(ns, "SawCompletedJob")).isNotEmpty();
  }

  @Test
  void forbidSkipsWhileOneRunsAndStartsTheMissedRunAfterwards() {
    String ns = h.namespace("cron-forbid");
    CronJob cj = h.client.resources(CronJob.class).create(cronJob(ns, "solo", "* * * * *", "Forbid"));
    Instant first = advanceToMinute(cj, 1, Duration.ofSeconds(20));
    touch(ns, "solo");
    awaitActive(ns, "solo", jobName("solo", first));
    Instant second = advanceToMinute(cj, 2, Duration.ofSeconds(20));
    touch(ns, "solo");
    await(() -> !events(ns, "JobAlreadyActive").isEmpty(), () -> "JobAlreadyActive event");
    assertThat(realJobs(ns)).hasSize(1);
    finish(ns, jobName("solo", first), true);
    await(() -> realJobs(ns).stream().anyMatch(j -> j.getMetadata().getName().equals(jobName("solo", second))),
        () -> "the missed run starts once the first finished: " + jobs(ns));
  }

  @Test
  void replaceDeletesTheRunningJob() {
    String ns = h.namespace("cron-replace");
    CronJob cj = h.client.resources(CronJob.class).create(cronJob(ns, "fresh", "* * * * *", "Replace"));
    Instant first = advanceToMinute(cj, 1, Duration.ofSeconds(20));
    touch(ns, "fresh");
    awaitActive(ns, "fresh", jobName("fresh", first));
    Instant second = advanceToMinute(cj, 2, Duration.ofSeconds(20));
    touch(ns, "fresh");
    await(() -> {
      List<String> names = realJobs(ns).stream().filter(j -> j.getMetadata().getDeletionTimestamp() == null)
          .map(j -> j.getMetadata().getName()).toList();
      return names.equals(List.of(jobName("fresh", second)));
    }, () -> "only the second job: " + jobs(ns));
    await(() -> get(ns, "fresh").getStatus().getActive().stream().map(ObjectReference::getName).toList()
        .equals(List.of(jobName("fresh", second))), () -> "active: " + get(ns, "fresh").getStatus());
    assertThat(events(ns, "SuccessfulDelete")).anySatisfy(e -> assertThat(e.getMessage()).contains(jobName("fresh", first)));
  }

  @Test
  void historyLimitsDeleteTheOldestFinishedJobs() {
    String ns = h.namespace("cron-history");
    CronJob spec = cronJob(ns, "hist", "* * * * *", "Allow");
    spec.getSpec().setSuccessfulJobsHistoryLimit(1);
    spec.getSpec().setFailedJobsHistoryLimit(1);
    CronJob cj = h.client.resources(CronJob.class).create(spec);
    List<String> names = new ArrayList<>();
    for (int minute = 1; minute <= 4; minute++) {
      Instant at = advanceToMinute(cj, minute, Duration.ofSeconds(20));
      String name = jobName("hist", at);
      names.add(name);
      touch(ns, "hist");
      awaitActive(ns, "hist", name);
      // Minutes 1 and 2 succeed, 3 and 4 fail.
      finish(ns, name, minute <= 2);
    }
    await(() -> realJobs(ns).stream().filter(j -> j.getMetadata().getDeletionTimestamp() == null)
        .map(j -> j.getMetadata().getName()).sorted().toList().equals(List.of(names.get(1), names.get(3)).stream().sorted().toList()),
        () -> "newest success and newest failure kept: " + jobs(ns).stream().map(j -> j.getMetadata().getName()).toList());
  }

  @Test
  void startingDeadlineSkipsALateStart() {
    String ns = h.namespace("cron-deadline");
    CronJob spec = cronJob(ns, "strict", "* * * * *", "Allow");
    spec.getSpec().setStartingDeadlineSeconds(10L);
    CronJob cj = h.client.resources(CronJob.class).create(spec);
    advanceToMinute(cj, 1, Duration.ofSeconds(30));
    touch(ns, "strict");
    barrier(ns, "strict");
    assertThat(realJobs(ns)).isEmpty();
    Instant onTime = advanceToMinute(cj, 2, Duration.ofSeconds(5));
    touch(ns, "strict");
    await(() -> realJobs(ns).stream().anyMatch(j -> j.getMetadata().getName().equals(jobName("strict", onTime))),
        () -> "job within the deadline: " + jobs(ns));
  }

  @Test
  void tooManyMissedStartTimesWarnsAndStartsOnlyTheLatest() {
    String ns = h.namespace("cron-missed");
    CronJob cj = h.client.resources(CronJob.class).create(cronJob(ns, "late", "* * * * *", "Allow"));
    Instant latest = advanceToMinute(cj, 150, Duration.ofSeconds(20));
    touch(ns, "late");
    await(() -> !events(ns, "TooManyMissedTimes").isEmpty(), () -> "TooManyMissedTimes event");
    assertThat(events(ns, "TooManyMissedTimes").get(0).getMessage())
        .isEqualTo("too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
    await(() -> realJobs(ns).size() == 1, () -> "one job");
    assertThat(realJobs(ns).get(0).getMetadata().getName()).isEqualTo(jobName("late", latest));
  }

  @Test
  void timeZoneShiftsTheScheduleAndTheAnnotation() {
    String ns = h.namespace("cron-tz");
    CronJob spec = cronJob(ns, "india", "0 * * * *", "Allow");
    spec.getSpec().setTimeZone("Asia/Kolkata");
    CronJob cj = h.client.resources(CronJob.class).create(spec);
    // Every local full hour in India is half past the hour in UTC.
    Instant created = cj.getMetadata().getCreationTimestamp();
    Instant boundary = created.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofMinutes(30));
    if (!boundary.isAfter(created)) {
      boundary = boundary.plus(Duration.ofHours(1));
    }
    Instant at = boundary;
    h.clock.advance(Duration.between(h.clock.instant(), at.plusSeconds(20)));
    touch(ns, "india");
    await(() -> realJobs(ns).size() == 1, () -> "one job: " + jobs(ns));
    Job job = realJobs(ns).get(0);
    assertThat(job.getMetadata().getName()).isEqualTo(jobName("india", at));
    String stamp = job.getMetadata().getAnnotations().get(CronJobController.SCHEDULED_TIMESTAMP_ANNOTATION);
    assertThat(stamp).endsWith(":00:00+05:30");
    assertThat(java.time.OffsetDateTime.parse(stamp).toInstant()).isEqualTo(at);
  }

  @Test
  void suspendedCronJobStartsNothing() {
    String ns = h.namespace("cron-suspend");
    CronJob spec = cronJob(ns, "paused", "* * * * *", "Allow");
    spec.getSpec().setSuspend(true);
    CronJob cj = h.client.resources(CronJob.class).create(spec);
    advanceToMinute(cj, 1, Duration.ofSeconds(20));
    touch(ns, "paused");
    barrier(ns, "paused");
    assertThat(realJobs(ns)).isEmpty();
    h.client.resources(CronJob.class).patch(ns, "paused", PatchType.MERGE, "{\"spec\":{\"suspend\":false}}");
    await(() -> realJobs(ns).size() == 1, () -> "resumed: " + jobs(ns));
  }
}

package io.bosun.controllers.core.cronjob;

import io.bosun.api.batch.v1.CronJob;
import io.bosun.api.batch.v1.CronJobStatus;
import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.core.v1.ObjectReference;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.EventRecorder;
import io.bosun.controllers.core.internal.Handlers;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's CronJob controller (v2, {@code pkg/controller/cronjob}): creates a Job named
 * {@code <cronjob>-<scheduled minutes since the epoch>} at each scheduled time, honouring
 * {@code timeZone}, {@code startingDeadlineSeconds} (a missed start is skipped once too late, and
 * more than 100 missed starts are reported as such), {@code concurrencyPolicy}
 * (Allow, Forbid: skip while one runs, Replace: delete the running ones first), {@code suspend},
 * and the history limits of finished Jobs; keeps {@code status.active},
 * {@code lastScheduleTime} and {@code lastSuccessfulTime}. Each Job carries the
 * {@code batch.kubernetes.io/cronjob-scheduled-timestamp} annotation.
 *
 * <p>The next sync is queued for the next scheduled time (plus 100 ms) as measured by the
 * context's clock; a clock moved by tests takes effect at the next sync, which any change of the
 * CronJob or its Jobs triggers.
 */
@Component(service = Controller.class, configurationPid = "io.bosun.controller.cronjob",
    configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = CronJobController.Config.class)
public final class CronJobController implements Controller {

  private static final Logger LOG = LoggerFactory.getLogger(CronJobController.class);

  /** The annotation with the scheduled time of a CronJob's Job, RFC 3339 in the CronJob's zone. */
  public static final String SCHEDULED_TIMESTAMP_ANNOTATION = "batch.kubernetes.io/cronjob-scheduled-timestamp";
  /** Upstream's nextScheduleDelta: wake a little after the scheduled time. */
  static final Duration NEXT_SCHEDULE_DELTA = Duration.ofMillis(100);

  /** Configuration (PID {@code io.bosun.controller.cronjob}). */
  @ObjectClassDefinition(name = "Bosun CronJob controller")
  public @interface Config {
    @AttributeDefinition(description = "Zone of schedules of CronJobs without spec.timeZone; empty for the JVM's "
        + "default zone (upstream: the controller manager's local zone).")
    String defaultTimeZone() default "";
  }

  private volatile ZoneId defaultZone;

  /** For DS and for use outside OSGi: schedules without a zone are read in the JVM's default zone. */
  public CronJobController() {
    this(ZoneId.systemDefault());
  }

  /** For use outside OSGi. */
  public CronJobController(ZoneId defaultZone) {
    this.defaultZone = Objects.requireNonNull(defaultZone, "defaultZone");
  }

  @Activate
  void activate(Config config) {
    defaultZone = config.defaultTimeZone().isBlank() ? ZoneId.systemDefault() : ZoneId.of(config.defaultTimeZone().trim());
  }

  @Override
  public String name() {
    return "cronjob";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    new RunState(ctx, defaultZone).run();
  }

  /** One run: its queue and handlers. */
  private static final class RunState {
    private final ControllerContext ctx;
    private final ZoneId defaultZone;
    private final SharedIndexInformer<CronJob> cronJobs;
    private final SharedIndexInformer<Job> jobInformer;
    private final ResourceClient<CronJob> cronJobClient;
    private final ResourceClient<Job> jobClient;
    private final WorkQueue<String> queue;
    private final EventRecorder recorder;

    RunState(ControllerContext ctx, ZoneId defaultZone) {
      this.ctx = ctx;
      this.defaultZone = defaultZone;
      this.cronJobs = ctx.informer(CronJob.class);
      this.jobInformer = ctx.informer(Job.class);
      this.cronJobClient = ctx.client().resources(CronJob.class);
      this.jobClient = ctx.client().resources(Job.class);
      this.queue = ctx.workQueue("cronjob");
      this.recorder = ctx.eventRecorder();
    }

    void run() throws Exception {
      jobInformer.addEventHandler(Handlers.of(this::jobChanged, (o, n) -> {
        OwnerReference oldRef = ControllerRefs.controllerOf(o).orElse(null);
        OwnerReference newRef = ControllerRefs.controllerOf(n).orElse(null);
        if (!Objects.equals(oldRef, newRef) && oldRef != null) {
          enqueueOwner(o.getMetadata().getNamespace(), oldRef);
        }
        jobChanged(n);
      }, this::jobChanged));
      cronJobs.addEventHandler(Handlers.of(cj -> queue.add(Keys.of(cj)), this::cronJobUpdated,
          cj -> queue.add(Keys.of(cj))));
      if (!ctx.waitForCacheSync(cronJobs, jobInformer)) {
        return;
      }
      ctx.runWorkers(queue, ctx.workers(), this::sync);
    }

    private void jobChanged(Job job) {
      ControllerRefs.controllerOf(job).ifPresent(ref -> enqueueOwner(job.getMetadata().getNamespace(), ref));
    }

    private void enqueueOwner(String namespace, OwnerReference ref) {
      if (!"CronJob".equals(ref.getKind())) {
        return;
      }
      cronJobs.indexer().get(namespace, ref.getName())
          .filter(cj -> Objects.equals(cj.getMetadata().getUid(), ref.getUid()))
          .ifPresent(cj -> queue.add(Keys.of(cj)));
    }

    private void cronJobUpdated(CronJob old, CronJob cur) {
      if (!Objects.equals(old.getSpec().getSchedule(), cur.getSpec().getSchedule())
          || !Objects.equals(old.getSpec().getTimeZone(), cur.getSpec().getTimeZone())) {
        // A new schedule may move the next run earlier than the queued one.
        Cron sched;
        try {
          sched = Cron.parse(formatSchedule(cur, false), defaultZone);
        } catch (Cron.ParseException e) {
          recorder.eventf(cur, EventRecorder.WARNING, "UnParseableCronJobSchedule",
              "unparseable schedule for cronjob: %s", cur.getSpec().getSchedule());
          return;
        }
        queue.addAfter(Keys.of(cur), nextScheduleDuration(cur, ctx.clock().instant(), sched));
        return;
      }
      queue.add(Keys.of(cur));
    }

    private void sync(String key) {
      CronJob shared = cronJobs.indexer().getByKey(key).orElse(null);
      if (shared == null) {
        return;
      }
      List<Job> jobs = new ArrayList<>();
      for (Job j : jobInformer.indexer().list(shared.getMetadata().getNamespace())) {
        Optional<OwnerReference> ref = ControllerRefs.controllerOf(j);
        if (ref.isPresent() && "CronJob".equals(ref.get().getKind()) && shared.getMetadata().getName().equals(ref.get().getName())) {
          jobs.add(j);
        }
      }
      CronJob cj = shared.deepCopy();
      if (cj.getStatus() == null) {
        cj.setStatus(new CronJobStatus());
      }
      cj.getStatus().setActive(cj.getStatus().getActive() == null ? new ArrayList<>() : new ArrayList<>(cj.getStatus().getActive()));
      boolean updateAfterCleanup = cleanupFinishedJobs(cj, jobs);
      Result r = syncCronJob(cj, jobs);
      if (updateAfterCleanup || r.updateStatus) {
        cronJobClient.updateStatus(cj);
      }
      if (r.requeueAfter != null) {
        queue.addAfter(key, r.requeueAfter);
        return;
      }
      if (r.error != null) {
        throw r.error;
      }
    }

    private record Result(Duration requeueAfter, boolean updateStatus, RuntimeException error) {}

    /** Upstream's syncCronJob: reconciles the active list, then starts the Job due now, if any. */
    private Result syncCronJob(CronJob cj, List<Job> jobs) {
      Instant now = ctx.clock().instant();
      boolean updateStatus = false;
      CronJobStatus status = cj.getStatus();
      Set<String> childUids = new HashSet<>();
      for (Job j : jobs) {
        childUids.add(j.getMetadata().getUid());
        boolean found = inActiveList(cj, j.getMetadata().getUid());
        JobCondition finished = finishedCondition(j);
        if (!found && finished == null) {
          CronJob fresh = cronJobClient.get(cj.getMetadata().getNamespace(), cj.getMetadata().getName()).orElse(null);
          if (fresh != null && fresh.getStatus() != null && fresh.getStatus().getActive() != null
              && fresh.getStatus().getActive().stream().anyMatch(a -> Objects.equals(a.getUid(), j.getMetadata().getUid()))) {
            // Our own status update is newer than the cache: adopt its view.
            status.setActive(new ArrayList<>(fresh.getStatus().getActive()));
            continue;
          }
          recorder.eventf(cj, EventRecorder.WARNING, "UnexpectedJob", "Saw a job that the controller did not create or forgot: %s",
              j.getMetadata().getName());
        } else if (found && finished != null) {
          removeFromActiveList(cj, j.getMetadata().getUid());
          recorder.eventf(cj, EventRecorder.NORMAL, "SawCompletedJob", "Saw completed job: %s, condition: %s",
              j.getMetadata().getName(), finished.getType());
          updateStatus = true;
        } else if (finished != null && "Complete".equals(finished.getType())) {
          Instant completion = j.getStatus() == null ? null : j.getStatus().getCompletionTime();
          if (status.getLastSuccessfulTime() == null && completion != null) {
            status.setLastSuccessfulTime(completion);
            updateStatus = true;
          }
          if (completion != null && completion.isAfter(status.getLastSuccessfulTime())) {
            status.setLastSuccessfulTime(completion);
            updateStatus = true;
          }
        }
      }
      for (ObjectReference a : List.copyOf(status.getActive())) {
        if (childUids.contains(a.getUid())) {
          continue;
        }
        // Not in the cache: ask the API, a slow watch must not drop a live Job from the list.
        Optional<Job> live = jobClient.get(a.getNamespace(), a.getName());
        if (live.isEmpty()) {
          recorder.eventf(cj, EventRecorder.NORMAL, "MissingJob", "Active job went missing: %s", a.getName());
          removeFromActiveList(cj, a.getUid());
          updateStatus = true;
        }
      }
      if (cj.getMetadata().getDeletionTimestamp() != null) {
        return new Result(null, updateStatus, null);
      }
      if (cj.getSpec().getTimeZone() != null) {
        try {
          ZoneId.of(cj.getSpec().getTimeZone());
        } catch (DateTimeException e) {
          recorder.eventf(cj, EventRecorder.WARNING, "UnknownTimeZone", "invalid timeZone: \"%s\": unknown time zone %s",
              cj.getSpec().getTimeZone(), cj.getSpec().getTimeZone());
          return new Result(null, updateStatus, null);
        }
      }
      if (Boolean.TRUE.equals(cj.getSpec().getSuspend())) {
        return new Result(null, updateStatus, null);
      }
      Cron sched;
      try {
        sched = Cron.parse(formatSchedule(cj, true), defaultZone);
      } catch (Cron.ParseException e) {
        recorder.eventf(cj, EventRecorder.WARNING, "UnparseableSchedule", "unparseable schedule: \"%s\" : %s",
            cj.getSpec().getSchedule(), e.getMessage());
        return new Result(null, updateStatus, null);
      }
      Recent recent;
      try {
        recent = mostRecentScheduleTime(cj, now, sched, true);
      } catch (IllegalStateException e) {
        recorder.eventf(cj, EventRecorder.WARNING, "InvalidSchedule", "invalid schedule: %s : %s",
            cj.getSpec().getSchedule(), e.getMessage());
        return new Result(null, updateStatus, null);
      }
      Instant scheduled = recent.mostRecent;
      if (scheduled != null && recent.missed == Missed.MANY) {
        recorder.event(cj, EventRecorder.WARNING, "TooManyMissedTimes",
            "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        LOG.info("too many missed times for cronjob {}", Keys.of(cj));
      }
      if (scheduled == null || scheduled.isAfter(now)) {
        return new Result(nextScheduleDuration(cj, now, sched), updateStatus, null);
      }
      Long deadline = cj.getSpec().getStartingDeadlineSeconds();
      if (deadline != null && scheduled.plusSeconds(deadline).isBefore(now)) {
        recorder.eventf(cj, EventRecorder.WARNING, "MissSchedule", "Missed scheduled time to start a job: %s",
            DateTimeFormatter.RFC_1123_DATE_TIME.format(scheduled.atZone(ZoneOffset.UTC)));
        return new Result(nextScheduleDuration(cj, now, sched), updateStatus, null);
      }
      String jobName = jobName(cj, scheduled);
      if (status.getActive().stream().anyMatch(a -> jobName.equals(a.getName()))
          || scheduled.equals(status.getLastScheduleTime())) {
        return new Result(nextScheduleDuration(cj, now, sched), updateStatus, null);
      }
      String policy = cj.getSpec().getConcurrencyPolicy() == null ? "Allow" : cj.getSpec().getConcurrencyPolicy();
      if (policy.equals("Forbid") && !status.getActive().isEmpty()) {
        // The active list may lag, so Forbid is best effort, as upstream.
        recorder.event(cj, EventRecorder.NORMAL, "JobAlreadyActive",
            "Not starting job because prior execution is running and concurrency policy is Forbid");
        return new Result(nextScheduleDuration(cj, now, sched), updateStatus, null);
      }
      if (policy.equals("Replace")) {
        for (ObjectReference a : List.copyOf(status.getActive())) {
          Job running;
          try {
            running = jobClient.get(a.getNamespace(), a.getName()).orElse(null);
          } catch (RuntimeException e) {
            recorder.eventf(cj, EventRecorder.WARNING, "FailedGet", "Get job: %s", e.getMessage());
            return new Result(null, updateStatus, e);
          }
          if (running == null) {
            removeFromActiveList(cj, a.getUid());
            updateStatus = true;
            continue;
          }
          if (!deleteJob(cj, running)) {
            return new Result(null, updateStatus,
                new IllegalStateException("could not replace job " + a.getNamespace() + "/" + a.getName()));
          }
          updateStatus = true;
        }
      }
      Job request = jobFromTemplate(cj, scheduled);
      Job created;
      try {
        created = jobClient.create(request);
        recorder.eventf(cj, EventRecorder.NORMAL, "SuccessfulCreate", "Created job %s", created.getMetadata().getName());
      } catch (ClientStatusException e) {
        if (e.isAlreadyExists()) {
          // Created before (by us, before a crash, or by someone else): take it if it is ours.
          Job existing = jobClient.get(cj.getMetadata().getNamespace(), jobName).orElse(null);
          if (existing == null) {
            return new Result(null, updateStatus, e);
          }
          if (!ControllerRefs.isControlledBy(existing, cj) || inActiveList(cj, existing.getMetadata().getUid())) {
            return new Result(null, updateStatus, null);
          }
          created = existing;
        } else if (e.code() == 403 && String.valueOf(e.status().getMessage()).contains("being terminated")) {
          return new Result(null, updateStatus, e);
        } else {
          recorder.eventf(cj, EventRecorder.WARNING, "FailedCreate", "Error creating job: %s", e.getMessage());
          return new Result(null, updateStatus, e);
        }
      }
      status.getActive().add(new ObjectReference().withKind("Job").withApiVersion("batch/v1")
          .withNamespace(created.getMetadata().getNamespace()).withName(created.getMetadata().getName())
          .withUid(created.getMetadata().getUid()).withResourceVersion(created.getMetadata().getResourceVersion()));
      status.setLastScheduleTime(scheduled);
      return new Result(nextScheduleDuration(cj, now, sched), true, null);
    }

    /** Deletes the oldest finished Jobs beyond the history limits; returns whether the status changed. */
    private boolean cleanupFinishedJobs(CronJob cj, List<Job> jobs) {
      Integer successLimit = cj.getSpec().getSuccessfulJobsHistoryLimit();
      Integer failedLimit = cj.getSpec().getFailedJobsHistoryLimit();
      if (successLimit == null && failedLimit == null) {
        return false;
      }
      List<Job> succeeded = new ArrayList<>();
      List<Job> failed = new ArrayList<>();
      for (Job j : jobs) {
        JobCondition c = finishedCondition(j);
        if (c != null && "Complete".equals(c.getType())) {
          succeeded.add(j);
        } else if (c != null && "Failed".equals(c.getType())) {
          failed.add(j);
        }
      }
      boolean update = false;
      if (successLimit != null && removeOldestJobs(cj, succeeded, successLimit)) {
        update = true;
      }
      if (failedLimit != null && removeOldestJobs(cj, failed, failedLimit)) {
        update = true;
      }
      return update;
    }

    private boolean removeOldestJobs(CronJob cj, List<Job> jobs, int max) {
      int toDelete = jobs.size() - max;
      if (toDelete <= 0) {
        return false;
      }
      List<Job> sorted = new ArrayList<>(jobs);
      // Upstream's byJobStartTime: Jobs without a start time last, ties by name.
      sorted.sort(Comparator.<Job, Instant>comparing(j -> j.getStatus() == null ? null : j.getStatus().getStartTime(),
          Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(j -> j.getMetadata().getName()));
      boolean update = false;
      for (int i = 0; i < toDelete; i++) {
        if (deleteJob(cj, sorted.get(i))) {
          update = true;
        }
      }
      return update;
    }

    /** Deletes a Job (background propagation) and its active-list entry. */
    private boolean deleteJob(CronJob cj, Job job) {
      try {
        jobClient.delete(job.getMetadata().getNamespace(), job.getMetadata().getName(),
            new DeleteOptions().withPropagationPolicy("Background"));
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          recorder.eventf(cj, EventRecorder.WARNING, "FailedDelete", "Deleted job: %s", e.getMessage());
          return false;
        }
      }
      removeFromActiveList(cj, job.getMetadata().getUid());
      recorder.eventf(cj, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted job %s", job.getMetadata().getName());
      return true;
    }

    /** The schedule as parsed: {@code TZ=<timeZone> <schedule>} when a valid zone is set (upstream's formatSchedule). */
    private String formatSchedule(CronJob cj, boolean warn) {
      String schedule = cj.getSpec().getSchedule();
      if (schedule != null && schedule.contains("TZ")) {
        if (warn) {
          recorder.eventf(cj, EventRecorder.WARNING, "UnsupportedSchedule", "CRON_TZ or TZ used in schedule \"%s\" is "
              + "not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ "
              + "for more details", schedule);
        }
        return schedule;
      }
      String tz = cj.getSpec().getTimeZone();
      if (tz != null) {
        try {
          ZoneId.of(tz);
        } catch (DateTimeException e) {
          return schedule;
        }
        return "TZ=" + tz + " " + schedule;
      }
      return schedule;
    }

    private Job jobFromTemplate(CronJob cj, Instant scheduled) {
      var template = cj.getSpec().getJobTemplate();
      ObjectMeta tm = template == null || template.getMetadata() == null ? new ObjectMeta() : template.getMetadata();
      Map<String, String> labels = tm.getLabels() == null ? new HashMap<>() : new HashMap<>(tm.getLabels());
      Map<String, String> annotations = tm.getAnnotations() == null ? new HashMap<>() : new HashMap<>(tm.getAnnotations());
      ZoneId zone = cj.getSpec().getTimeZone() == null ? ZoneOffset.UTC : ZoneId.of(cj.getSpec().getTimeZone());
      annotations.put(SCHEDULED_TIMESTAMP_ANNOTATION,
          DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(scheduled.atZone(zone).truncatedTo(ChronoUnit.SECONDS)));
      Job job = new Job().withApiVersion("batch/v1").withKind("Job").withMetadata(new ObjectMeta()
          .withNamespace(cj.getMetadata().getNamespace()).withName(jobName(cj, scheduled))
          .withLabels(labels).withAnnotations(annotations)
          .withOwnerReferences(new ArrayList<>(List.of(ControllerRefs.newControllerRef(cj)))));
      job.setSpec(template == null || template.getSpec() == null ? null : template.getSpec().deepCopy());
      return job;
    }
  }

  /** {@code <cronjob>-<scheduled time in minutes since the epoch>}: the same scheduled time always names the same Job. */
  static String jobName(CronJob cj, Instant scheduled) {
    return cj.getMetadata().getName() + "-" + Math.floorDiv(scheduled.getEpochSecond(), 60);
  }

  private static boolean inActiveList(CronJob cj, String uid) {
    return cj.getStatus().getActive().stream().anyMatch(a -> Objects.equals(a.getUid(), uid));
  }

  private static void removeFromActiveList(CronJob cj, String uid) {
    cj.getStatus().getActive().removeIf(a -> Objects.equals(a.getUid(), uid));
  }

  private static JobCondition finishedCondition(Job job) {
    if (job.getStatus() == null || job.getStatus().getConditions() == null) {
      return null;
    }
    for (JobCondition c : job.getStatus().getConditions()) {
      if (("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus())) {
        return c;
      }
    }
    return null;
  }

  enum Missed { NONE, FEW, MANY }

  /**
   * @param earliest   the time counting starts from
   * @param mostRecent the latest scheduled time in (earliest, now], or null
   * @param missed     whether scheduled times were missed, and whether more than 100
   */
  record Recent(Instant earliest, Instant mostRecent, Missed missed) {}

  /**
   * Upstream's mostRecentScheduleTime: the latest scheduled time not after {@code now} since the
   * last schedule (or creation), not before the starting deadline if asked to honour it, counting
   * missed times by the interval between two schedules rather than one by one.
   *
   * @throws IllegalStateException if two consecutive times are less than a second apart (an
   *                               impossible schedule such as {@code 59 23 31 2 *})
   */
  static Recent mostRecentScheduleTime(CronJob cj, Instant now, Cron schedule, boolean includeStartingDeadline) {
    Instant earliest = cj.getMetadata().getCreationTimestamp();
    if (cj.getStatus() != null && cj.getStatus().getLastScheduleTime() != null) {
      earliest = cj.getStatus().getLastScheduleTime();
    }
    if (earliest == null) {
      earliest = now;
    }
    Long deadline = cj.getSpec().getStartingDeadlineSeconds();
    if (includeStartingDeadline && deadline != null) {
      Instant schedulingDeadline = now.minusSeconds(deadline);
      if (schedulingDeadline.isAfter(earliest)) {
        earliest = schedulingDeadline;
      }
    }
    Instant t1 = schedule.next(earliest);
    if (t1 == null) {
      // No time within five years (30 February): upstream sees two equal zero times.
      throw new IllegalStateException("time difference between two schedules is less than 1 second");
    }
    Instant t2 = schedule.next(t1);
    if (now.isBefore(t1)) {
      return new Recent(earliest, null, Missed.NONE);
    }
    if (t2 == null || now.isBefore(t2)) {
      return new Recent(earliest, t1, Missed.NONE);
    }
    long between = Math.round(Duration.between(t1, t2).toMillis() / 1000.0);
    if (between < 1) {
      throw new IllegalStateException("time difference between two schedules is less than 1 second");
    }
    long elapsed = Duration.between(t1, now).getSeconds();
    long missedCount = elapsed / between + 1;
    Instant potentialEarliest = t1.plusSeconds((missedCount - 1 - 1) * between);
    Instant mostRecent = null;
    for (Instant t = schedule.next(potentialEarliest); t != null && !t.isAfter(now); t = schedule.next(t)) {
      mostRecent = t;
    }
    Missed missed = missedCount > 100 ? Missed.MANY : missedCount > 0 ? Missed.FEW : Missed.NONE;
    return new Recent(earliest, mostRecent, missed);
  }

  /** How long until the next scheduled time after the most recent one, plus a small delta (upstream's nextScheduleTimeDuration). */
  static Duration nextScheduleDuration(CronJob cj, Instant now, Cron schedule) {
    Instant mostRecent;
    try {
      Recent r = mostRecentScheduleTime(cj, now, schedule, false);
      mostRecent = r.mostRecent != null ? r.mostRecent : r.missed == Missed.NONE ? r.earliest : now;
    } catch (IllegalStateException e) {
      mostRecent = now;
    }
    Instant next = schedule.next(mostRecent);
    if (next == null) {
      // No time within five years: look again in a day rather than never.
      return Duration.ofDays(1);
    }
    return Duration.between(now, next.plus(NEXT_SCHEDULE_DELTA));
  }
}

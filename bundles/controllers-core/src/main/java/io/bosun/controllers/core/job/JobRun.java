package io.bosun.controllers.core.job;

import static io.bosun.controllers.core.job.JobPods.COMPLETION_INDEX;
import static io.bosun.controllers.core.job.JobPods.COMPLETION_INDEX_ENV;
import static io.bosun.controllers.core.job.JobPods.TRACKING_FINALIZER;
import static io.bosun.controllers.core.job.JobPods.UNKNOWN_INDEX;
import static io.bosun.controllers.core.job.JobPods.completionIndex;
import static io.bosun.controllers.core.job.JobPods.completions;
import static io.bosun.controllers.core.job.JobPods.hasTrackingFinalizer;
import static io.bosun.controllers.core.job.JobPods.isIndexed;
import static io.bosun.controllers.core.job.JobPods.isPodFailed;
import static io.bosun.controllers.core.job.JobPods.nz;
import static io.bosun.controllers.core.job.JobPods.suspended;

import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.batch.v1.JobStatus;
import io.bosun.api.batch.v1.UncountedTerminatedPods;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.EnvVar;
import io.bosun.api.core.v1.EnvVarSource;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodTemplateSpec;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.ClientStatusException;
import io.bosun.client.PatchType;
import io.bosun.client.PodClient;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.ControllerRefManager;
import io.bosun.controller.ControllerRefs;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Expectations;
import io.bosun.controller.PodTemplates;
import io.bosun.controller.Pods;
import io.bosun.controller.SlowStart;
import io.bosun.controllers.core.internal.Handlers;
import io.bosun.controllers.core.internal.Patches;
import io.bosun.controllers.core.internal.Writes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the Job controller: its queues, expectations and backoff records live and die with
 * the run. Every method but {@link #run} is called from handler or worker threads.
 */
final class JobRun {

  private static final Logger LOG = LoggerFactory.getLogger(JobRun.class);

  /** Upstream's MaxUncountedPods: keeps status.uncountedTerminatedPods under ~20 KB. */
  static final int MAX_UNCOUNTED_PODS = 500;
  /** Upstream's MaxPodCreateDeletePerSync. */
  static final int MAX_POD_CREATE_DELETE_PER_SYNC = 500;

  private final ControllerContext ctx;
  private final JobController.Settings settings;
  private final Clock clock;
  private final ResourceClient<Job> jobs;
  private final PodClient pods;
  private final EventRecorder recorder;
  private final SharedIndexInformer<Job> jobInformer;
  private final SharedIndexInformer<Pod> podInformer;
  private final WorkQueue<String> queue;
  private final WorkQueue<String> orphanQueue;
  private final Expectations expectations;
  /** Pod uids per Job key whose tracking finalizer removal is not yet seen (upstream's uidTrackingExpectations). */
  private final Map<String, Set<String>> finalizerExpectations = new ConcurrentHashMap<>();
  /** Consecutive failures since the last success per Job key, for the recreation backoff. */
  private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();

  /** Upstream's backoffRecord. */
  record Backoff(int failuresAfterLastSuccess, Instant lastFailureTime) {
    static final Backoff NONE = new Backoff(0, null);

    /** How long until the next pod may be created (0 when it may be now). */
    Duration remaining(Instant now, Duration base, Duration max) {
      if (failuresAfterLastSuccess == 0 || lastFailureTime == null) {
        return Duration.ZERO;
      }
      Duration backoff = base;
      for (int i = 1; i < failuresAfterLastSuccess; i++) {
        backoff = backoff.multipliedBy(2);
        if (backoff.compareTo(max) >= 0) {
          backoff = max;
          break;
        }
      }
      Duration elapsed = Duration.between(lastFailureTime, now);
      return backoff.compareTo(elapsed) < 0 ? Duration.ZERO : backoff.minus(elapsed);
    }
  }

  /** The state of one sync of one Job (upstream's syncJobCtx). */
  private static final class SyncCtx {
    String key;
    Job job;
    List<Pod> pods;
    List<Pod> activePods;
    JobCondition finishedCondition;
    int succeeded;
    int failed;
    Intervals prevSucceededIndexes = Intervals.EMPTY;
    Intervals succeededIndexes = Intervals.EMPTY;
    Backoff newBackoff;
    Set<String> expectedRmFinalizers;
    Set<String> uncountedSucceeded;
    Set<String> uncountedFailed;
    int terminating;
    int ready;
  }

  JobRun(ControllerContext ctx, JobController.Settings settings) {
    this.ctx = ctx;
    this.settings = settings;
    this.clock = ctx.clock();
    this.jobs = ctx.client().resources(Job.class);
    this.pods = ctx.client().pods();
    this.recorder = ctx.eventRecorder();
    this.jobInformer = ctx.informer(Job.class);
    this.podInformer = ctx.informer(Pod.class);
    this.queue = ctx.workQueue("job");
    this.orphanQueue = ctx.workQueue("job_orphan_pod");
    this.expectations = new Expectations(clock);
  }

  void run() throws Exception {
    jobInformer.addEventHandler(Handlers.of(this::addJob, this::updateJob, this::deleteJob));
    podInformer.addEventHandler(Handlers.of(this::addPod, this::updatePod, p -> deletePod(p, true)));
    if (!ctx.waitForCacheSync(jobInformer, podInformer)) {
      return;
    }
    Thread orphans = ctx.threadFactory().newThread(() -> {
      try {
        ctx.runWorkers(orphanQueue, 1, this::syncOrphanPod);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    orphans.start();
    ctx.runWorkers(queue, ctx.workers(), this::syncJob);
  }

  // ------------------------------------------------------------------ event handlers

  private void addJob(Job job) {
    queue.add(Keys.of(job));
  }

  private void updateJob(Job old, Job cur) {
    String key = Keys.of(cur);
    if (Objects.equals(old.getMetadata().getGeneration(), cur.getMetadata().getGeneration())) {
      enqueueBatched(key);
    } else {
      queue.add(key);
    }
    if (JobPods.isFinished(cur)) {
      cleanupPodFinalizers(cur);
    }
    // A changed activeDeadlineSeconds needs a sync when the new deadline passes.
    if (cur.getStatus() != null && cur.getStatus().getStartTime() != null) {
      Long curAds = cur.getSpec().getActiveDeadlineSeconds();
      Long oldAds = old.getSpec().getActiveDeadlineSeconds();
      if (curAds != null && !curAds.equals(oldAds)) {
        Duration passed = Duration.between(cur.getStatus().getStartTime(), clock.instant());
        queue.addAfter(key, Duration.ofSeconds(curAds).minus(passed));
      }
    }
  }

  private void deleteJob(Job job) {
    queue.add(Keys.of(job));
    cleanupPodFinalizers(job);
  }

  private void addPod(Pod pod) {
    if (pod.getMetadata().getDeletionTimestamp() != null) {
      // Seen first while being deleted (a restart): not a creation we are waiting for.
      deletePod(pod, false);
      return;
    }
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isPresent()) {
      Job job = resolveControllerRef(pod.getMetadata().getNamespace(), ref.get());
      if (job == null) {
        return;
      }
      String key = Keys.of(job);
      expectations.creationObserved(key);
      enqueueBatched(key);
      return;
    }
    if (hasTrackingFinalizer(pod)) {
      orphanQueue.add(Keys.of(pod));
    }
    for (Job job : podJobs(pod)) {
      enqueueBatched(Keys.of(job));
    }
  }

  private void updatePod(Pod old, Pod cur) {
    if (Objects.equals(old.getMetadata().getResourceVersion(), cur.getMetadata().getResourceVersion())) {
      return;
    }
    if (cur.getMetadata().getDeletionTimestamp() != null) {
      deletePod(cur, false);
      return;
    }
    boolean finalizerRemoved = !hasTrackingFinalizer(cur);
    OwnerReference curRef = ControllerRefs.controllerOf(cur).orElse(null);
    OwnerReference oldRef = ControllerRefs.controllerOf(old).orElse(null);
    boolean refChanged = !Objects.equals(curRef, oldRef);
    if (refChanged && oldRef != null) {
      Job job = resolveControllerRef(old.getMetadata().getNamespace(), oldRef);
      if (job != null) {
        if (finalizerRemoved) {
          finalizerRemovalObserved(Keys.of(job), cur.getMetadata().getUid());
        }
        enqueueBatched(Keys.of(job));
      }
    }
    if (curRef != null) {
      Job job = resolveControllerRef(cur.getMetadata().getNamespace(), curRef);
      if (job == null) {
        return;
      }
      if (finalizerRemoved) {
        finalizerRemovalObserved(Keys.of(job), cur.getMetadata().getUid());
      }
      enqueueBatched(Keys.of(job));
      return;
    }
    if (hasTrackingFinalizer(cur)) {
      orphanQueue.add(Keys.of(cur));
    }
    if (!Objects.equals(cur.getMetadata().getLabels(), old.getMetadata().getLabels()) || refChanged) {
      for (Job job : podJobs(cur)) {
        enqueueBatched(Keys.of(job));
      }
    }
  }

  /** @param fin true for the final delete, false for a deletion timestamp being set */
  private void deletePod(Pod pod, boolean fin) {
    OwnerReference ref = ControllerRefs.controllerOf(pod).orElse(null);
    boolean hasFinalizer = hasTrackingFinalizer(pod);
    if (ref == null) {
      if (hasFinalizer) {
        orphanQueue.add(Keys.of(pod));
      }
      return;
    }
    Job job = resolveControllerRef(pod.getMetadata().getNamespace(), ref);
    if (job == null || JobPods.isFinished(job)) {
      if (hasFinalizer) {
        orphanQueue.add(Keys.of(pod));
      }
      return;
    }
    String key = Keys.of(job);
    expectations.deletionObserved(key, Keys.of(pod));
    if (fin || !hasFinalizer) {
      finalizerRemovalObserved(key, pod.getMetadata().getUid());
    }
    enqueueBatched(key);
  }

  private void enqueueBatched(String key) {
    queue.addAfter(key, settings.syncBatchPeriod());
  }

  private void enqueueWithDelay(String key, Duration delay) {
    queue.addAfter(key, delay.compareTo(settings.syncBatchPeriod()) < 0 ? settings.syncBatchPeriod() : delay);
  }

  private Job resolveControllerRef(String namespace, OwnerReference ref) {
    if (!"Job".equals(ref.getKind())) {
      return null;
    }
    Job job = jobInformer.indexer().get(namespace, ref.getName()).orElse(null);
    return job != null && Objects.equals(job.getMetadata().getUid(), ref.getUid()) ? job : null;
  }

  /** Jobs of the pod's namespace whose selector matches its labels. */
  private List<Job> podJobs(Pod pod) {
    Map<String, String> labels = pod.getMetadata().getLabels();
    if (labels == null || labels.isEmpty()) {
      return List.of();
    }
    List<Job> out = new ArrayList<>();
    for (Job job : jobInformer.indexer().list(pod.getMetadata().getNamespace())) {
      try {
        LabelSelector s = LabelSelector.fromSpec(job.getSpec().getSelector());
        if (!s.isEverything() && s.matches(labels)) {
          out.add(job);
        }
      } catch (SelectorException e) {
        // An invalid selector selects nothing.
      }
    }
    if (out.size() > 1) {
      LOG.warn("user error: more than one job selects pods with labels {}", labels);
    }
    return out;
  }

  /** Queues the finished or deleted Job's pods that still carry the tracking finalizer. */
  private void cleanupPodFinalizers(Job job) {
    LabelSelector selector;
    try {
      selector = LabelSelector.fromSpec(job.getSpec().getSelector());
    } catch (SelectorException e) {
      return;
    }
    for (Pod pod : podInformer.indexer().list(job.getMetadata().getNamespace(), selector)) {
      if (ControllerRefs.isControlledBy(pod, job) && hasTrackingFinalizer(pod)) {
        orphanQueue.add(Keys.of(pod));
      }
    }
  }

  private void finalizerRemovalObserved(String key, String uid) {
    finalizerExpectations.computeIfPresent(key, (k, set) -> {
      set.remove(uid);
      return set.isEmpty() ? null : set;
    });
  }

  // ------------------------------------------------------------------ orphan pods

  /** Removes the tracking finalizer of a pod no unfinished Job controls. */
  private void syncOrphanPod(String key) {
    Pod pod = podInformer.indexer().getByKey(key).orElse(null);
    if (pod == null) {
      return;
    }
    Optional<OwnerReference> ref = ControllerRefs.controllerOf(pod);
    if (ref.isPresent()) {
      if (!"Job".equals(ref.get().getKind()) || !"batch/v1".equals(ref.get().getApiVersion())) {
        return;
      }
      Job job = resolveControllerRef(pod.getMetadata().getNamespace(), ref.get());
      if (job != null && (JobPods.managedByOther(job) || !JobPods.isFinished(job))) {
        return;
      }
    }
    if (hasTrackingFinalizer(pod)) {
      try {
        Writes.patch(pods, pod.getMetadata().getNamespace(), pod.getMetadata().getName(), PatchType.STRATEGIC_MERGE,
            Patches.removeFinalizer(TRACKING_FINALIZER));
      } catch (ClientStatusException e) {
        if (!e.isNotFound()) {
          throw e;
        }
      }
    }
  }

  // ------------------------------------------------------------------ sync

  private void syncJob(String key) throws Exception {
    String ns = Keys.namespace(key);
    String name = Keys.name(key);
    if (ns.isEmpty() || name.isEmpty()) {
      throw new IllegalArgumentException("invalid job key " + key + ": either namespace or name is missing");
    }
    Job shared = jobInformer.indexer().get(ns, name).orElse(null);
    if (shared == null) {
      expectations.delete(key);
      finalizerExpectations.remove(key);
      backoffs.remove(key);
      return;
    }
    if (JobPods.managedByOther(shared)) {
      return;
    }
    Job job = normalize(shared.deepCopy());
    if (JobPods.isFinished(job)) {
      backoffs.remove(key);
      return;
    }
    String mode = job.getSpec().getCompletionMode();
    if (mode != null && !mode.equals("NonIndexed") && !mode.equals("Indexed")) {
      recorder.event(job, EventRecorder.WARNING, "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown");
      return;
    }
    JobStatus status = job.getStatus();
    // Read before listing pods: a pod created after this read just defers the sync.
    boolean satisfied = expectations.satisfied(key);
    List<Pod> jobPods = podsForJob(job);
    SyncCtx c = new SyncCtx();
    c.key = key;
    c.job = job;
    c.pods = jobPods;
    c.activePods = jobPods.stream().filter(Pods::isActive).toList();
    c.ready = (int) c.activePods.stream().filter(Pods::isReady).count();
    c.uncountedSucceeded = new HashSet<>(status.getUncountedTerminatedPods().getSucceeded());
    c.uncountedFailed = new HashSet<>(status.getUncountedTerminatedPods().getFailed());
    c.expectedRmFinalizers = Set.copyOf(finalizerExpectations.getOrDefault(key, Set.of()));
    c.terminating = (int) jobPods.stream().filter(JobPods::isTerminating).count();
    int active = c.activePods.size();
    List<Pod> newSucceeded = validPods(c, c.uncountedSucceeded, p -> "Succeeded".equals(Pods.phase(p)));
    List<Pod> newFailed = validPods(c, c.uncountedFailed, p -> isPodFailed(p, job));
    c.succeeded = nz(status.getSucceeded()) + newSucceeded.size() + c.uncountedSucceeded.size();
    c.failed = nz(status.getFailed()) + nonIgnoredFailedCount(job, newFailed) + c.uncountedFailed.size();

    Instant now = clock.instant();
    if (status.getStartTime() == null && !suspended(job)) {
      status.setStartTime(now);
    }
    c.newBackoff = newBackoffRecord(key, newSucceeded, newFailed);

    int backoffLimit = job.getSpec().getBackoffLimit() == null ? 6 : job.getSpec().getBackoffLimit();
    boolean exceedsBackoffLimit = c.failed > backoffLimit;
    c.finishedCondition = trueCondition(job, "SuccessCriteriaMet");
    if (c.finishedCondition == null) {
      JobCondition target = trueCondition(job, "FailureTarget");
      if (target != null) {
        c.finishedCondition = condition("Failed", "True", target.getReason(), target.getMessage(), now);
      } else {
        String msg = failJobMessage(job, jobPods);
        if (msg != null) {
          c.finishedCondition = condition("FailureTarget", "True", "PodFailurePolicy", msg, now);
        }
      }
    }
    if (c.finishedCondition == null) {
      if (exceedsBackoffLimit || JobPods.pastBackoffLimitOnFailure(job, jobPods)) {
        c.finishedCondition = condition("FailureTarget", "True", "BackoffLimitExceeded",
            "Job has reached the specified backoff limit", now);
      } else if (pastActiveDeadline(job, now)) {
        c.finishedCondition = condition("FailureTarget", "True", "DeadlineExceeded",
            "Job was active longer than specified deadline", now);
      } else if (job.getSpec().getActiveDeadlineSeconds() != null && !suspended(job)) {
        queue.addAfter(key, Duration.ofSeconds(job.getSpec().getActiveDeadlineSeconds())
            .minus(Duration.between(status.getStartTime(), now)));
      }
    }
    if (isIndexed(job)) {
      c.prevSucceededIndexes = Intervals.parse(status.getCompletedIndexes(), completions(job));
      Set<Integer> newly = new HashSet<>();
      for (Pod p : jobPods) {
        int ix = completionIndex(p);
        if ("Succeeded".equals(Pods.phase(p)) && ix != UNKNOWN_INDEX && ix < completions(job) && hasTrackingFinalizer(p)) {
          newly.add(ix);
        }
      }
      c.succeededIndexes = c.prevSucceededIndexes.with(newly);
      c.succeeded = c.succeededIndexes.total();
      if (c.finishedCondition == null) {
        String msg = JobPods.matchSuccessPolicy(job.getSpec().getSuccessPolicy(), completions(job), c.succeededIndexes);
        if (msg != null) {
          c.finishedCondition = condition("SuccessCriteriaMet", "True", "SuccessPolicy", msg, now);
        }
      }
    }

    boolean suspendCondChanged = false;
    Exception manageError = null;
    if (c.finishedCondition != null) {
      Deleted d = deleteActivePods(job, c.activePods);
      if (d.deleted != active || !satisfied) {
        // Pods not yet deleted, or pods not yet in the cache: not finished yet.
        c.finishedCondition = null;
      }
      active -= d.deleted;
      c.terminating += d.deleted;
      c.ready -= d.deletedReady;
      manageError = d.error;
    } else {
      boolean manageCalled = false;
      if (satisfied && job.getMetadata().getDeletionTimestamp() == null) {
        Managed m = manageJob(job, c, active);
        active = m.active;
        manageError = m.error;
        manageCalled = true;
      }
      Integer wanted = job.getSpec().getCompletions();
      boolean complete = wanted == null ? c.succeeded > 0 && active == 0 : c.succeeded >= wanted && active == 0;
      if (complete) {
        c.finishedCondition = condition("SuccessCriteriaMet", "True", "CompletionsReached",
            "Reached expected number of succeeded pods", now);
      } else if (manageCalled) {
        if (suspended(job)) {
          if (ensureCondition(status, "Suspended", "True", "JobSuspended", "Job suspended", now)) {
            suspendCondChanged = true;
            recorder.event(job, EventRecorder.NORMAL, "Suspended", "Job suspended");
          }
        } else if (ensureCondition(status, "Suspended", "False", "JobResumed", "Job resumed", now)) {
          suspendCondChanged = true;
          recorder.event(job, EventRecorder.NORMAL, "Resumed", "Job resumed");
          // activeDeadlineSeconds counts continuous activity: a resumed Job starts again.
          status.setStartTime(now);
        }
      }
    }

    boolean needsStatusUpdate = suspendCondChanged || active != nz(status.getActive())
        || status.getReady() == null || c.ready != status.getReady()
        || status.getTerminating() == null || c.terminating != status.getTerminating();
    status.setActive(active);
    status.setReady(c.ready);
    status.setTerminating(c.terminating);
    trackStatusAndRemoveFinalizers(c, needsStatusUpdate);
    if (manageError != null) {
      throw manageError;
    }
  }

  /** Sets missing status parts so the sync can work on non-null lists. */
  private static Job normalize(Job job) {
    if (job.getStatus() == null) {
      job.setStatus(new JobStatus());
    }
    JobStatus s = job.getStatus();
    if (s.getConditions() == null) {
      s.setConditions(new ArrayList<>());
    } else {
      s.setConditions(new ArrayList<>(s.getConditions()));
    }
    UncountedTerminatedPods u = s.getUncountedTerminatedPods();
    if (u == null) {
      u = new UncountedTerminatedPods();
      s.setUncountedTerminatedPods(u);
    }
    u.setSucceeded(u.getSucceeded() == null ? new ArrayList<>() : new ArrayList<>(u.getSucceeded()));
    u.setFailed(u.getFailed() == null ? new ArrayList<>() : new ArrayList<>(u.getFailed()));
    return job;
  }

  /** The Job's pods: adopts matching orphans (with the tracking finalizer) and releases non-matching ones. */
  private List<Pod> podsForJob(Job job) throws SelectorException {
    LabelSelector selector = LabelSelector.fromSpec(job.getSpec().getSelector());
    List<Pod> candidates = podInformer.indexer().list(job.getMetadata().getNamespace());
    Set<String> ownedBefore = new HashSet<>();
    for (Pod p : candidates) {
      if (ControllerRefs.isControlledBy(p, job)) {
        ownedBefore.add(p.getMetadata().getUid());
      }
    }
    ControllerRefManager<Pod> manager = new ControllerRefManager<>(pods, job, selector,
        () -> jobs.get(job.getMetadata().getNamespace(), job.getMetadata().getName()));
    List<Pod> claimed = manager.claim(candidates);
    List<Pod> out = new ArrayList<>(claimed.size());
    for (Pod p : claimed) {
      if (!ownedBefore.contains(p.getMetadata().getUid()) && !hasTrackingFinalizer(p)) {
        // Upstream's adoption adds the tracking finalizer in the same patch; here it is a second one.
        try {
          p = pods.patch(p.getMetadata().getNamespace(), p.getMetadata().getName(), PatchType.STRATEGIC_MERGE,
              Patches.addFinalizer(TRACKING_FINALIZER));
        } catch (ClientStatusException e) {
          if (e.isNotFound()) {
            continue;
          }
          throw e;
        }
      }
      out.add(p);
    }
    return out;
  }

  /** Pods with the tracking finalizer, not in {@code uncounted}, with a valid index if Indexed, that pass {@code filter}. */
  private static List<Pod> validPods(SyncCtx c, Set<String> uncounted, java.util.function.Predicate<Pod> filter) {
    List<Pod> out = new ArrayList<>();
    for (Pod p : c.pods) {
      String uid = p.getMetadata().getUid();
      if (!hasTrackingFinalizer(p) || uncounted.contains(uid) || c.expectedRmFinalizers.contains(uid)) {
        continue;
      }
      if (isIndexed(c.job)) {
        int ix = completionIndex(p);
        if (ix == UNKNOWN_INDEX || ix >= completions(c.job)) {
          continue;
        }
      }
      if (filter.test(p)) {
        out.add(p);
      }
    }
    return out;
  }

  private static int nonIgnoredFailedCount(Job job, List<Pod> failed) {
    int n = failed.size();
    if (job.getSpec().getPodFailurePolicy() != null) {
      for (Pod p : failed) {
        if (!JobPods.matchPodFailurePolicy(job.getSpec().getPodFailurePolicy(), p).countFailed()) {
          n--;
        }
      }
    }
    return n;
  }

  private static String failJobMessage(Job job, List<Pod> pods) {
    if (job.getSpec().getPodFailurePolicy() == null) {
      return null;
    }
    for (Pod p : pods) {
      if (isPodFailed(p, job)) {
        String msg = JobPods.matchPodFailurePolicy(job.getSpec().getPodFailurePolicy(), p).failJobMessage();
        if (msg != null) {
          return msg;
        }
      }
    }
    return null;
  }

  private static boolean pastActiveDeadline(Job job, Instant now) {
    Long ads = job.getSpec().getActiveDeadlineSeconds();
    Instant start = job.getStatus().getStartTime();
    if (ads == null || start == null || suspended(job)) {
      return false;
    }
    return Duration.between(start, now).compareTo(Duration.ofSeconds(ads)) >= 0;
  }

  /** Upstream's newBackoffRecord: consecutive failures after the last success, by finish time. */
  private Backoff newBackoffRecord(String key, List<Pod> newSucceeded, List<Pod> newFailed) {
    Backoff old = backoffs.getOrDefault(key, Backoff.NONE);
    List<Instant> succeededTimes = newSucceeded.stream().map(JobPods::finishedTime).sorted().toList();
    List<Instant> failedTimes = newFailed.stream().map(JobPods::finishedTime).sorted().toList();
    if (succeededTimes.isEmpty()) {
      if (failedTimes.isEmpty()) {
        return old;
      }
      return new Backoff(old.failuresAfterLastSuccess() + failedTimes.size(), failedTimes.get(failedTimes.size() - 1));
    }
    Instant lastSuccess = succeededTimes.get(succeededTimes.size() - 1);
    int failures = 0;
    Instant lastFailure = null;
    for (int i = failedTimes.size() - 1; i >= 0; i--) {
      if (!failedTimes.get(i).isAfter(lastSuccess)) {
        break;
      }
      if (lastFailure == null) {
        lastFailure = failedTimes.get(i);
      }
      failures++;
    }
    return new Backoff(failures, lastFailure);
  }

  // ------------------------------------------------------------------ manage

  private record Managed(int active, Exception error) {}

  private record Deleted(int deletedReady, int deleted, Exception error) {}

  /** Creates or deletes pods toward the wanted number of active ones; upstream's manageJob. */
  private Managed manageJob(Job job, SyncCtx c, int active) throws InterruptedException {
    int parallelism = nz(job.getSpec().getParallelism());
    String key = c.key;
    if (suspended(job)) {
      List<Pod> toDelete = activePodsForRemoval(job, c.activePods, active);
      expectations.expectDeletions(key, toDelete.stream().map(Keys::of).toList());
      Deleted d = deleteJobPods(job, key, toDelete);
      c.terminating += d.deleted;
      c.ready -= d.deletedReady;
      return new Managed(active - d.deleted, d.error);
    }
    int wantActive;
    Integer completions = job.getSpec().getCompletions();
    if (completions == null) {
      // Without completions, once one pod succeeded the rest may finish but none is added.
      wantActive = c.succeeded > 0 ? active : parallelism;
    } else {
      wantActive = Math.max(0, Math.min(completions - c.succeeded, parallelism));
    }
    int rmAtLeast = Math.max(0, active - wantActive);
    List<Pod> toDelete = activePodsForRemoval(job, c.activePods, rmAtLeast);
    if (toDelete.size() > MAX_POD_CREATE_DELETE_PER_SYNC) {
      toDelete = toDelete.subList(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    }
    if (!toDelete.isEmpty()) {
      expectations.expectDeletions(key, toDelete.stream().map(Keys::of).toList());
      Deleted d = deleteJobPods(job, key, toDelete);
      c.terminating += d.deleted;
      c.ready -= d.deletedReady;
      // Deletions and creations never share a sync; deletions first.
      return new Managed(active - d.deleted, d.error);
    }
    int terminating = JobPods.onlyReplaceFailedPods(job) ? c.terminating : 0;
    int diff = wantActive - terminating - active;
    if (diff <= 0) {
      return new Managed(active, null);
    }
    Duration remaining = c.newBackoff.remaining(clock.instant(), settings.podFailureBackoff(),
        settings.maxPodFailureBackoff());
    if (remaining.compareTo(Duration.ZERO) > 0) {
      enqueueWithDelay(key, remaining);
      // Upstream reports 0 active here; the pods still running are reported instead.
      return new Managed(active, null);
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    ConcurrentLinkedQueue<Integer> indexes = new ConcurrentLinkedQueue<>();
    if (isIndexed(job)) {
      indexes.addAll(firstPendingIndexes(c, diff, completions(job)));
      diff = indexes.size();
      if (diff == 0) {
        return new Managed(active, null);
      }
    }
    expectations.expectCreations(key, diff);
    PodTemplateSpec template = job.getSpec().getTemplate().deepCopy();
    if (template.getMetadata() == null) {
      template.setMetadata(new ObjectMeta());
    }
    if (isIndexed(job)) {
      addCompletionIndexEnv(template);
    }
    List<String> finalizers = template.getMetadata().getFinalizers() == null ? new ArrayList<>()
        : new ArrayList<>(template.getMetadata().getFinalizers());
    if (!finalizers.contains(TRACKING_FINALIZER)) {
      finalizers.add(TRACKING_FINALIZER);
    }
    template.getMetadata().setFinalizers(finalizers);
    OwnerReference ref = ControllerRefs.newControllerRef(job);
    AtomicInteger failedCreates = new AtomicInteger();
    SlowStart.Result result = SlowStart.run(diff, SlowStart.INITIAL_BATCH_SIZE, ctx.threadFactory(), () -> {
      Integer ix = indexes.poll();
      Pod pod = PodTemplates.podFromTemplate(template, job.getMetadata().getNamespace(), job.getMetadata().getName(), ref);
      if (ix != null) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations() == null ? new HashMap<>()
            : new HashMap<>(pod.getMetadata().getAnnotations());
        annotations.put(COMPLETION_INDEX, Integer.toString(ix));
        pod.getMetadata().setAnnotations(annotations);
        pod.getMetadata().getLabels().put(COMPLETION_INDEX, Integer.toString(ix));
        pod.getSpec().setHostname(job.getMetadata().getName() + "-" + ix);
        pod.getMetadata().setGenerateName(JobPods.generateNameWithIndex(job.getMetadata().getName(), ix));
      }
      try {
        Pod created = pods.create(pod);
        recorder.event(job, EventRecorder.NORMAL, "SuccessfulCreate", "Created pod: " + created.getMetadata().getName());
      } catch (RuntimeException e) {
        // The informer will never see this pod.
        expectations.creationObserved(key);
        failedCreates.incrementAndGet();
        if (!(e instanceof ClientStatusException se && isNamespaceTerminating(se))) {
          recorder.event(job, EventRecorder.WARNING, "FailedCreate", "Error creating: " + e.getMessage());
        }
        throw e;
      }
      return null;
    });
    for (int i = 0; i < result.skipped(); i++) {
      expectations.creationObserved(key);
    }
    int created = diff - failedCreates.get() - result.skipped();
    Exception error = result.firstFailure();
    if (error instanceof ClientStatusException se && isNamespaceTerminating(se)) {
      // Every later create would fail the same way; the namespace is going away.
      error = null;
    }
    return new Managed(active + created, error);
  }

  private static boolean isNamespaceTerminating(ClientStatusException e) {
    return e.code() == 403 && String.valueOf(e.status().getMessage()).contains("because it is being terminated");
  }

  /**
   * The active pods to delete: with Indexed completion, duplicates of an index and pods without a
   * valid index first; then as many more as needed, earliest stage first (upstream's activePodsForRemoval).
   */
  private static List<Pod> activePodsForRemoval(Job job, List<Pod> active, int rmAtLeast) {
    List<Pod> rm = new ArrayList<>();
    List<Pod> left = new ArrayList<>();
    Comparator<Pod> order = Pods.deletionOrder(null, null);
    if (isIndexed(job)) {
      Map<Integer, List<Pod>> byIndex = new HashMap<>();
      for (Pod p : active) {
        int ix = completionIndex(p);
        if (ix == UNKNOWN_INDEX || ix >= completions(job)) {
          rm.add(p);
        } else {
          byIndex.computeIfAbsent(ix, k -> new ArrayList<>()).add(p);
        }
      }
      for (List<Pod> same : byIndex.values()) {
        if (same.size() == 1) {
          left.add(same.get(0));
        } else {
          List<Pod> sorted = new ArrayList<>(same);
          sorted.sort(order);
          rm.addAll(sorted.subList(0, sorted.size() - 1));
          left.add(sorted.get(sorted.size() - 1));
        }
      }
    } else {
      left.addAll(active);
    }
    if (rm.size() < rmAtLeast) {
      left.sort(order);
      rm.addAll(left.subList(0, Math.min(left.size(), rmAtLeast - rm.size())));
    }
    return rm;
  }

  /** The first {@code count} indexes below {@code completions} neither succeeded nor active (nor terminating when only failed pods are replaced). */
  private static List<Integer> firstPendingIndexes(SyncCtx c, int count, int completions) {
    Set<Integer> taken = new HashSet<>();
    for (Pod p : c.activePods) {
      taken.add(completionIndex(p));
    }
    if (JobPods.onlyReplaceFailedPods(c.job)) {
      for (Pod p : c.pods) {
        if (JobPods.isTerminating(p)) {
          taken.add(completionIndex(p));
        }
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int ix = 0; ix < completions && out.size() < count; ix++) {
      if (!taken.contains(ix) && !c.succeededIndexes.has(ix)) {
        out.add(ix);
      }
    }
    return out;
  }

  private static void addCompletionIndexEnv(PodTemplateSpec template) {
    List<Container> all = new ArrayList<>();
    if (template.getSpec().getInitContainers() != null) {
      all.addAll(template.getSpec().getInitContainers());
    }
    if (template.getSpec().getContainers() != null) {
      all.addAll(template.getSpec().getContainers());
    }
    for (Container container : all) {
      List<EnvVar> env = container.getEnv() == null ? new ArrayList<>() : new ArrayList<>(container.getEnv());
      if (env.stream().anyMatch(e -> COMPLETION_INDEX_ENV.equals(e.getName()))) {
        continue;
      }
      env.add(new EnvVar().withName(COMPLETION_INDEX_ENV).withValueFrom(new EnvVarSource().withFieldRef(
          new ObjectFieldSelector().withFieldPath("metadata.labels['" + COMPLETION_INDEX + "']"))));
      container.setEnv(env);
    }
  }

  /** Deletes active pods of a finishing Job, keeping their finalizers (counted when they are gone). */
  private Deleted deleteActivePods(Job job, List<Pod> active) throws InterruptedException {
    return parallelDeletes(job, active, null, false);
  }

  /** Removes the tracking finalizer, then deletes (pods the Job no longer wants). */
  private Deleted deleteJobPods(Job job, String key, List<Pod> toDelete) throws InterruptedException {
    return parallelDeletes(job, toDelete, key, true);
  }

  private Deleted parallelDeletes(Job job, List<Pod> toDelete, String key, boolean removeFinalizer)
      throws InterruptedException {
    if (toDelete.isEmpty()) {
      return new Deleted(0, 0, null);
    }
    AtomicInteger deleted = new AtomicInteger();
    AtomicInteger deletedReady = new AtomicInteger();
    List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
      List<Future<?>> futures = new ArrayList<>();
      for (Pod pod : toDelete) {
        futures.add(pool.submit(() -> {
          String ns = pod.getMetadata().getNamespace();
          String name = pod.getMetadata().getName();
          try {
            if (removeFinalizer && hasTrackingFinalizer(pod)) {
              Writes.patch(pods, ns, name, PatchType.STRATEGIC_MERGE, Patches.removeFinalizer(TRACKING_FINALIZER));
            }
            pods.delete(ns, name, null);
            recorder.event(job, EventRecorder.NORMAL, "SuccessfulDelete", "Deleted pod: " + name);
            deleted.incrementAndGet();
          } catch (ClientStatusException e) {
            if (key != null) {
              expectations.deletionObserved(key, Keys.of(pod));
            }
            if (e.isNotFound()) {
              deleted.incrementAndGet();
            } else {
              recorder.event(job, EventRecorder.WARNING, "FailedDelete", "Error deleting: " + e.getMessage());
              errors.add(e);
              return;
            }
          } catch (RuntimeException e) {
            if (key != null) {
              expectations.deletionObserved(key, Keys.of(pod));
            }
            errors.add(e);
            return;
          }
          if (Pods.isReady(pod)) {
            deletedReady.incrementAndGet();
          }
        }));
      }
      for (Future<?> f : futures) {
        try {
          f.get();
        } catch (java.util.concurrent.ExecutionException e) {
          errors.add(new RuntimeException(e.getCause()));
        }
      }
    }
    return new Deleted(deletedReady.get(), deleted.get(), errors.isEmpty() ? null : errors.get(0));
  }

  // ------------------------------------------------------------------ status tracking

  /**
   * Upstream's trackJobStatusAndRemoveFinalizers: records finished pods in
   * {@code uncountedTerminatedPods}, writes that, removes their finalizers, moves them into the
   * counters, and adds the Complete or Failed condition once nothing is left uncounted or terminating.
   */
  private void trackStatusAndRemoveFinalizers(SyncCtx c, boolean needsFlush) throws Exception {
    boolean indexed = isIndexed(c.job);
    List<Pod> podsToRemoveFinalizer = new ArrayList<>();
    List<Integer> newSucceededIndexes = new ArrayList<>();
    List<Pod> ordered = new ArrayList<>(c.pods);
    if (indexed) {
      ordered.sort(Comparator.comparingInt(JobPods::completionIndex));
    }
    Set<String> uidsWithFinalizer = new HashSet<>();
    for (Pod p : ordered) {
      if (hasTrackingFinalizer(p) && !c.expectedRmFinalizers.contains(p.getMetadata().getUid())) {
        uidsWithFinalizer.add(p.getMetadata().getUid());
      }
    }
    if (cleanUncountedPodsWithoutFinalizers(c.job.getStatus(), uidsWithFinalizer)) {
      needsFlush = true;
    }
    UncountedTerminatedPods uncounted = c.job.getStatus().getUncountedTerminatedPods();
    boolean reachedMaxUncounted = false;
    for (Pod pod : ordered) {
      String uid = pod.getMetadata().getUid();
      if (!hasTrackingFinalizer(pod) || c.expectedRmFinalizers.contains(uid)) {
        continue;
      }
      boolean considerFailed = isPodFailed(pod, c.job);
      if (!canRemoveFinalizer(c, pod, considerFailed)) {
        continue;
      }
      podsToRemoveFinalizer.add(pod);
      if ("Succeeded".equals(Pods.phase(pod)) && !c.uncountedFailed.contains(uid)) {
        if (indexed) {
          int ix = completionIndex(pod);
          if (ix != UNKNOWN_INDEX && ix < completions(c.job) && !c.prevSucceededIndexes.has(ix)) {
            newSucceededIndexes.add(ix);
            needsFlush = true;
          }
        } else if (!c.uncountedSucceeded.contains(uid)) {
          needsFlush = true;
          uncounted.getSucceeded().add(uid);
        }
      } else if (considerFailed || (c.finishedCondition != null && !"SuccessCriteriaMet".equals(c.finishedCondition.getType()))) {
        // A finishing Job counts every unfinished pod as failed.
        int ix = completionIndex(pod);
        if (!c.uncountedFailed.contains(uid) && (!indexed || (ix != UNKNOWN_INDEX && ix < completions(c.job)))) {
          if (c.job.getSpec().getPodFailurePolicy() == null
              || JobPods.matchPodFailurePolicy(c.job.getSpec().getPodFailurePolicy(), pod).countFailed()) {
            needsFlush = true;
            uncounted.getFailed().add(uid);
          }
        }
      }
      if (newSucceededIndexes.size() + uncounted.getSucceeded().size() + uncounted.getFailed().size() >= MAX_UNCOUNTED_PODS) {
        // Bounded: the status stays small and big Jobs do not starve others; the writes requeue the Job.
        reachedMaxUncounted = true;
        break;
      }
    }
    if (indexed) {
      c.succeededIndexes = c.succeededIndexes.with(newSucceededIndexes);
      String completed = c.succeededIndexes.toString();
      if (!completed.equals(Objects.requireNonNullElse(c.job.getStatus().getCompletedIndexes(), ""))) {
        needsFlush = true;
      }
      c.job.getStatus().setSucceeded(c.succeededIndexes.total());
      c.job.getStatus().setCompletedIndexes(completed);
      if (c.job.getStatus().getFailedIndexes() != null) {
        c.job.getStatus().setFailedIndexes(null);
        needsFlush = true;
      }
    }
    Instant now = clock.instant();
    if (c.finishedCondition != null && "FailureTarget".equals(c.finishedCondition.getType())) {
      // The interim condition records why before the finalizers go; Failed follows once all pods are gone.
      c.job.getStatus().getConditions().add(c.finishedCondition);
      needsFlush = true;
      c.finishedCondition = condition("Failed", "True", c.finishedCondition.getReason(), c.finishedCondition.getMessage(), now);
    }
    if (c.finishedCondition != null && "SuccessCriteriaMet".equals(c.finishedCondition.getType())) {
      if (trueCondition(c.job, "SuccessCriteriaMet") == null) {
        c.job.getStatus().getConditions().add(c.finishedCondition);
        needsFlush = true;
      }
      c.finishedCondition = condition("Complete", "True", c.finishedCondition.getReason(), c.finishedCondition.getMessage(), now);
    }
    needsFlush = flushUncountedAndRemoveFinalizers(c, podsToRemoveFinalizer, uidsWithFinalizer, needsFlush);
    boolean finished = !reachedMaxUncounted && enactJobFinished(c, now);
    if (finished) {
      needsFlush = true;
    }
    if (needsFlush) {
      c.job = normalize(jobs.updateStatus(c.job));
      if (finished) {
        recordJobFinished(c.job, c.finishedCondition);
      }
    }
  }

  private static boolean canRemoveFinalizer(SyncCtx c, Pod pod, boolean considerFailed) {
    return c.job.getMetadata().getDeletionTimestamp() != null || c.finishedCondition != null
        || "Succeeded".equals(Pods.phase(pod)) || considerFailed;
  }

  /** Writes the status, removes finalizers, folds the removed ones into the counters; returns whether a write is still due. */
  private boolean flushUncountedAndRemoveFinalizers(SyncCtx c, List<Pod> podsToRemoveFinalizer,
      Set<String> uidsWithFinalizer, boolean needsFlush) throws Exception {
    if (needsFlush) {
      c.job = normalize(jobs.updateStatus(c.job));
      backoffs.put(c.key, c.newBackoff);
      needsFlush = false;
    }
    Exception rmError = null;
    if (!podsToRemoveFinalizer.isEmpty()) {
      RemovalResult r = removeTrackingFinalizers(c.key, podsToRemoveFinalizer);
      for (int i = 0; i < podsToRemoveFinalizer.size(); i++) {
        if (r.succeeded[i]) {
          uidsWithFinalizer.remove(podsToRemoveFinalizer.get(i).getMetadata().getUid());
        }
      }
      rmError = r.error;
    }
    if (cleanUncountedPodsWithoutFinalizers(c.job.getStatus(), uidsWithFinalizer)) {
      needsFlush = true;
    }
    if (rmError != null) {
      if (needsFlush) {
        // Record the partial progress before retrying.
        c.job = normalize(jobs.updateStatus(c.job));
      }
      throw rmError;
    }
    return needsFlush;
  }

  private record RemovalResult(boolean[] succeeded, Exception error) {}

  private RemovalResult removeTrackingFinalizers(String key, List<Pod> list) throws InterruptedException {
    boolean[] ok = new boolean[list.size()];
    finalizerExpectations.compute(key, (k, set) -> {
      Set<String> s = set == null ? ConcurrentHashMap.newKeySet() : set;
      list.forEach(p -> s.add(p.getMetadata().getUid()));
      return s;
    });
    List<Exception> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (ExecutorService pool = Executors.newThreadPerTaskExecutor(ctx.threadFactory())) {
      for (int i = 0; i < list.size(); i++) {
        int idx = i;
        pool.submit(() -> {
          Pod pod = list.get(idx);
          try {
            Writes.patch(pods, pod.getMetadata().getNamespace(), pod.getMetadata().getName(),
                PatchType.STRATEGIC_MERGE, Patches.removeFinalizer(TRACKING_FINALIZER));
            ok[idx] = true;
          } catch (RuntimeException e) {
            // No update will show the removal: stop expecting it.
            finalizerRemovalObserved(key, pod.getMetadata().getUid());
            if (e instanceof ClientStatusException se && se.isNotFound()) {
              ok[idx] = true;
            } else {
              errors.add(e);
            }
          }
        });
      }
    }
    return new RemovalResult(ok, errors.isEmpty() ? null : errors.get(0));
  }

  /** Moves uncounted uids whose pods lost their finalizer into the counters. */
  private static boolean cleanUncountedPodsWithoutFinalizers(JobStatus status, Set<String> uidsWithFinalizer) {
    boolean updated = false;
    UncountedTerminatedPods u = status.getUncountedTerminatedPods();
    List<String> keep = u.getSucceeded().stream().filter(uidsWithFinalizer::contains).toList();
    if (keep.size() != u.getSucceeded().size()) {
      updated = true;
      status.setSucceeded(nz(status.getSucceeded()) + u.getSucceeded().size() - keep.size());
      u.setSucceeded(new ArrayList<>(keep));
    }
    keep = u.getFailed().stream().filter(uidsWithFinalizer::contains).toList();
    if (keep.size() != u.getFailed().size()) {
      updated = true;
      status.setFailed(nz(status.getFailed()) + u.getFailed().size() - keep.size());
      u.setFailed(new ArrayList<>(keep));
    }
    return updated;
  }

  private boolean enactJobFinished(SyncCtx c, Instant now) {
    if (c.finishedCondition == null) {
      return false;
    }
    UncountedTerminatedPods u = c.job.getStatus().getUncountedTerminatedPods();
    if (!u.getSucceeded().isEmpty() || !u.getFailed().isEmpty()) {
      return false;
    }
    if (c.terminating > 0) {
      // 1.32 (JobManagedBy / JobPodReplacementPolicy): the terminal condition waits for terminating pods.
      return false;
    }
    JobCondition f = c.finishedCondition;
    ensureCondition(c.job.getStatus(), f.getType(), f.getStatus(), f.getReason(), f.getMessage(), now);
    if ("Complete".equals(f.getType())) {
      c.job.getStatus().setCompletionTime(f.getLastTransitionTime());
    }
    return true;
  }

  private void recordJobFinished(Job job, JobCondition finished) {
    if ("Complete".equals(finished.getType())) {
      Integer completions = job.getSpec().getCompletions();
      if (completions != null && nz(job.getStatus().getSucceeded()) > completions) {
        recorder.event(job, EventRecorder.WARNING, "TooManySucceededPods",
            "Too many succeeded pods running after completion count reached");
      }
      recorder.event(job, EventRecorder.NORMAL, "Completed", "Job completed");
    } else {
      recorder.event(job, EventRecorder.WARNING, finished.getReason(), finished.getMessage());
    }
  }

  // ------------------------------------------------------------------ conditions

  private static JobCondition condition(String type, String status, String reason, String message, Instant now) {
    return new JobCondition().withType(type).withStatus(status).withReason(reason).withMessage(message)
        .withLastProbeTime(now).withLastTransitionTime(now);
  }

  private static JobCondition trueCondition(Job job, String type) {
    JobCondition c = JobPods.findCondition(job, type);
    return c != null && "True".equals(c.getStatus()) ? c : null;
  }

  /**
   * Sets a condition (upstream's ensureJobConditionStatus): updates one of the type if status,
   * reason or message differ; adds it unless it would be a new False condition.
   *
   * @return whether the conditions changed
   */
  private static boolean ensureCondition(JobStatus status, String type, String value, String reason, String message,
      Instant now) {
    List<JobCondition> list = status.getConditions();
    for (int i = 0; i < list.size(); i++) {
      JobCondition c = list.get(i);
      if (type.equals(c.getType())) {
        if (!Objects.equals(c.getStatus(), value) || !Objects.equals(nzs(c.getReason()), nzs(reason))
            || !Objects.equals(nzs(c.getMessage()), nzs(message))) {
          list.set(i, condition(type, value, reason, message, now));
          return true;
        }
        return false;
      }
    }
    if (!"False".equals(value)) {
      list.add(condition(type, value, reason, message, now));
      return true;
    }
    return false;
  }

  private static String nzs(String s) {
    return s == null ? "" : s;
  }
}

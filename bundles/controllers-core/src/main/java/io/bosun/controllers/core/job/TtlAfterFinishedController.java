package io.bosun.controllers.core.job;

import io.bosun.api.batch.v1.Job;
import io.bosun.api.batch.v1.JobCondition;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controllers.core.internal.Handlers;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Upstream's TTL-after-finished controller: deletes a Job {@code ttlSecondsAfterFinished} seconds
 * after it finished (its Complete or Failed condition's transition time), with foreground
 * propagation so its pods go first, and a uid precondition so a re-created Job of the same name
 * is never deleted by mistake.
 */
@Component(service = Controller.class)
public final class TtlAfterFinishedController implements Controller {

  private static final Logger LOG = LoggerFactory.getLogger(TtlAfterFinishedController.class);

  @Override
  public String name() {
    return "ttl-after-finished";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<Job> jobs = ctx.informer(Job.class);
    WorkQueue<String> queue = ctx.workQueue("ttl_jobs_to_delete");
    ResourceClient<Job> client = ctx.client().resources(Job.class);
    Clock clock = ctx.clock();
    jobs.addEventHandler(Handlers.of(j -> enqueueIfNeeded(queue, j), (o, j) -> enqueueIfNeeded(queue, j), null));
    if (!ctx.waitForCacheSync(jobs)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), key -> {
      Job job = jobs.indexer().getByKey(key).orElse(null);
      if (job == null || !expired(job, clock, queue, key)) {
        return;
      }
      // The cache may be stale (the TTL changed, the Job was re-created): check a fresh read.
      Job fresh = client.get(job.getMetadata().getNamespace(), job.getMetadata().getName()).orElse(null);
      if (fresh == null || !expired(fresh, clock, queue, key)) {
        return;
      }
      try {
        client.delete(fresh.getMetadata().getNamespace(), fresh.getMetadata().getName(), new DeleteOptions()
            .withPropagationPolicy("Foreground").withPreconditions(new Preconditions().withUid(fresh.getMetadata().getUid())));
        LOG.debug("deleted finished job {} after its TTL", key);
      } catch (ClientStatusException e) {
        if (!e.isNotFound() && !e.isConflict()) {
          throw e;
        }
      }
    });
  }

  private static void enqueueIfNeeded(WorkQueue<String> queue, Job job) {
    if (job.getMetadata().getDeletionTimestamp() == null && needsCleanup(job)) {
      queue.add(Keys.of(job));
    }
  }

  private static boolean needsCleanup(Job job) {
    return job.getSpec() != null && job.getSpec().getTtlSecondsAfterFinished() != null && JobPods.isFinished(job);
  }

  /** Whether the TTL has passed; if not yet, queues the Job for when it does. */
  private static boolean expired(Job job, Clock clock, WorkQueue<String> queue, String key) {
    if (job.getMetadata().getDeletionTimestamp() != null || !needsCleanup(job)) {
      return false;
    }
    JobCondition finished = JobPods.finishedCondition(job);
    Instant finishAt = finished.getLastTransitionTime();
    if (finishAt == null) {
      LOG.warn("job {} has a finished condition without a transition time; not cleaning it up", key);
      return false;
    }
    Instant now = clock.instant();
    if (finishAt.isAfter(now)) {
      LOG.info("Found Job {} finished in the future. This is likely due to time skew in the cluster. "
          + "Job cleanup will be deferred.", key);
    }
    Duration left = Duration.between(now, finishAt.plusSeconds(job.getSpec().getTtlSecondsAfterFinished()));
    if (left.isNegative() || left.isZero()) {
      return true;
    }
    queue.addAfter(key, left);
    return false;
  }
}

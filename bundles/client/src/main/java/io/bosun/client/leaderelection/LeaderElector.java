package io.bosun.client.leaderelection;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.coordination.v1.LeaseSpec;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes part in electing one leader among replicas through a Lease, as client-go's
 * {@code LeaderElector}:
 *
 * <ul>
 *   <li>Acquire: every {@code retryPeriod} (jittered) read the Lease; take it if it is free, or if
 *       it has not changed for {@code leaseDuration} of this replica's own clock (times in the
 *       Lease are informational, so clock skew does not matter). Writes carry the read
 *       resourceVersion, so of two contenders only one wins.</li>
 *   <li>Lead: renew every {@code retryPeriod}; if no renewal succeeds for {@code renewDeadline},
 *       stop leading ({@code onStoppedLeading}) and go back to acquiring.</li>
 *   <li>{@link #close()}: stop; a leader clears the holder when {@code releaseOnCancel} is set, so
 *       a successor takes over within one retry period.</li>
 * </ul>
 *
 * <p>Unlike client-go's {@code Run}, which returns for good once leadership is lost, this elector
 * keeps competing until closed, since a bundle cannot simply exit its process.
 *
 * <p>Thread-safe. It owns two threads (election and callbacks) from {@link #start()} to
 * {@link #close()}.
 */
public final class LeaderElector implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderElector.class);

  private final ResourceClient<Lease> leases;
  private final LeaderElectionConfig config;
  private final LeaderCallbacks callbacks;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final ExecutorService callbackThread;
  private Thread thread;
  private volatile boolean leading;
  private volatile String leader = "";
  /** Election thread only: the lease as last read or written, and when (System.nanoTime) it last changed. */
  private Lease observed;
  private long observedAt;
  private String reportedLeader = "";

  /**
   * @param client    the client to reach the API server with
   * @param callbacks what to tell the owner; null for nothing
   */
  public LeaderElector(ApiClient client, LeaderElectionConfig config, LeaderCallbacks callbacks) {
    this.leases = client.resources(Lease.class);
    this.config = Objects.requireNonNull(config, "config");
    this.callbacks = callbacks == null ? new LeaderCallbacks() { } : callbacks;
    String name = "bosun-leader-elector-" + config.name();
    callbackThread = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, name + "-callbacks");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts competing for the lease; does not block. Idempotent. */
  public synchronized void start() {
    if (thread != null || stop.getCount() == 0) {
      return;
    }
    thread = new Thread(this::run, "bosun-leader-elector-" + config.name());
    thread.setDaemon(true);
    thread.start();
  }

  /** Whether this elector holds the lease now (as far as it knows: until a renewal deadline passes). */
  public boolean isLeader() {
    return leading;
  }

  /** The holder of the lease as last observed; "" if none is known. */
  public String leader() {
    return leader;
  }

  /** This elector's configuration. */
  public LeaderElectionConfig config() {
    return config;
  }

  /**
   * Stops competing. A leader stops leading ({@code onStoppedLeading}, waited for up to the lease
   * duration) and then, with {@code releaseOnCancel}, releases the lease. Returns once both threads have ended (after a
   * request in flight completes, at most the client's request timeout). Idempotent; must not be
   * called from a callback.
   */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      stop.countDown();
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    callbackThread.shutdown();
    try {
      if (!callbackThread.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("Leader election callbacks of {} still running 30s after close", config.name());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ------------------------------------------------------------------ the election thread

  private void run() {
    try {
      while (!stopped()) {
        if (!acquire()) {
          break;
        }
        leading = true;
        LOG.info("{} became the leader of {}/{}", config.identity(), config.namespace(), config.name());
        callback(callbacks::onStartedLeading);
        renewUntilLost();
        if (stopped()) {
          // Still leading: the finally block stops the work and releases the lease.
          break;
        }
        // Lost: stop leading before anybody else may start.
        leading = false;
        LOG.warn("{} lost the lease {}/{}", config.identity(), config.namespace(), config.name());
        callback(callbacks::onStoppedLeading);
      }
    } catch (InterruptedException e) {
      // Stopping.
    } finally {
      if (leading) {
        leading = false;
        // Unlike client-go, which releases first: let the owner stop its work before a
        // successor may start. If that takes longer than a lease, do not release: the lease
        // then expires on its own, which is just as safe.
        if (stoppedLeadingWithin(config.leaseDuration()) && config.releaseOnCancel()) {
          release();
        }
      }
    }
  }

  /** Runs onStoppedLeading on the callback thread and waits for it; false if it did not finish in time. */
  private boolean stoppedLeadingWithin(Duration timeout) {
    CountDownLatch done = new CountDownLatch(1);
    callback(() -> {
      try {
        callbacks.onStoppedLeading();
      } finally {
        done.countDown();
      }
    });
    try {
      return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Retries until the lease is ours; false when stopped first. */
  private boolean acquire() throws InterruptedException {
    while (!stopped()) {
      if (tryAcquireOrRenew()) {
        return true;
      }
      long jittered = (long) (config.retryPeriod().toNanos()
          * (1 + ThreadLocalRandom.current().nextDouble() * (LeaderElectionConfig.JITTER - 1)));
      if (stop.await(jittered, TimeUnit.NANOSECONDS)) {
        return false;
      }
    }
    return false;
  }

  /** Renews every retry period; returns when stopped (leading still set) or when renewal failed for renewDeadline. */
  private void renewUntilLost() throws InterruptedException {
    long lastRenew = System.nanoTime();
    while (true) {
      if (stop.await(config.retryPeriod().toNanos(), TimeUnit.NANOSECONDS)) {
        return;
      }
      if (tryAcquireOrRenew()) {
        lastRenew = System.nanoTime();
      } else if (System.nanoTime() - lastRenew >= config.renewDeadline().toNanos()
          || !config.identity().equals(holder(observed))) {
        // Past the deadline, or somebody else holds the lease: we are no longer the leader.
        return;
      }
    }
  }

  /** One attempt, as client-go's tryAcquireOrRenew: true if we hold the lease afterwards. */
  private boolean tryAcquireOrRenew() {
    Instant now = Instant.now();
    try {
      Optional<Lease> read = leases.get(config.namespace(), config.name());
      if (read.isEmpty()) {
        Lease created = leases.create(new Lease()
            .withMetadata(new ObjectMeta().withNamespace(config.namespace()).withName(config.name()))
            .withSpec(new LeaseSpec().withHolderIdentity(config.identity()).withLeaseDurationSeconds(leaseSeconds())
                .withAcquireTime(now).withRenewTime(now).withLeaseTransitions(0)));
        observe(created);
        return true;
      }
      Lease current = read.get();
      LeaseSpec spec = current.getSpec() == null ? new LeaseSpec() : current.getSpec();
      observe(current);
      String holder = holder(current);
      boolean mine = config.identity().equals(holder);
      if (!holder.isEmpty() && !mine) {
        int seconds = spec.getLeaseDurationSeconds() == null ? leaseSeconds() : spec.getLeaseDurationSeconds();
        if (System.nanoTime() - observedAt < TimeUnit.SECONDS.toNanos(seconds)) {
          return false;
        }
      }
      int transitions = spec.getLeaseTransitions() == null ? 0 : spec.getLeaseTransitions();
      Lease next = current.deepCopy().withSpec(spec.deepCopy()
          .withHolderIdentity(config.identity())
          .withLeaseDurationSeconds(leaseSeconds())
          .withRenewTime(now)
          .withAcquireTime(mine ? spec.getAcquireTime() : now)
          .withLeaseTransitions(mine ? transitions : transitions + 1));
      // The read resourceVersion stays in next.metadata: a concurrent writer makes this fail with 409.
      observe(leases.update(next));
      return true;
    } catch (ClientStatusException e) {
      if (!e.isConflict() && !e.isAlreadyExists()) {
        LOG.warn("{}: leader election on {}/{} failed: {}", config.identity(), config.namespace(), config.name(),
            e.getMessage());
      }
      return false;
    } catch (ClientException e) {
      LOG.info("{}: cannot reach the API server for leader election: {}", config.identity(), e.getMessage());
      return false;
    }
  }

  /** Clears the holder (client-go's release), using the lease we last wrote so a newer holder is never cleared. */
  private void release() {
    Lease last = observed;
    if (last == null || !config.identity().equals(holder(last))) {
      return;
    }
    Instant now = Instant.now();
    LeaseSpec spec = last.getSpec();
    try {
      observe(leases.update(last.deepCopy().withSpec(spec.deepCopy()
          .withHolderIdentity(null)
          .withLeaseDurationSeconds(1)
          .withAcquireTime(now)
          .withRenewTime(now))));
      LOG.info("{} released the lease {}/{}", config.identity(), config.namespace(), config.name());
    } catch (ClientException e) {
      LOG.warn("{}: could not release the lease {}/{}: {}", config.identity(), config.namespace(), config.name(),
          e.getMessage());
    }
  }

  /** Records a read or written lease; restarts the expiry clock when its holder or renew time changed. */
  private void observe(Lease lease) {
    LeaseSpec was = observed == null ? null : observed.getSpec();
    LeaseSpec is = lease.getSpec();
    if (was == null || is == null || !Objects.equals(was.getHolderIdentity(), is.getHolderIdentity())
        || !Objects.equals(was.getRenewTime(), is.getRenewTime())
        || !Objects.equals(was.getAcquireTime(), is.getAcquireTime())) {
      observedAt = System.nanoTime();
    }
    observed = lease;
    String holder = holder(lease);
    leader = holder;
    if (!holder.isEmpty() && !holder.equals(reportedLeader)) {
      reportedLeader = holder;
      callback(() -> callbacks.onNewLeader(holder));
    }
  }

  private static String holder(Lease lease) {
    String h = lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return h == null ? "" : h;
  }

  private int leaseSeconds() {
    return (int) Math.max(1, (config.leaseDuration().toMillis() + 999) / 1000);
  }

  private boolean stopped() {
    return stop.getCount() == 0;
  }

  private void callback(Runnable r) {
    try {
      callbackThread.execute(() -> {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("Leader election callback of {} failed", config.name(), e);
        }
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Closing: callbacks are no longer delivered.
    }
  }

  @Override
  public String toString() {
    return "LeaderElector[" + config.namespace() + "/" + config.name() + " as " + config.identity() + "]";
  }
}

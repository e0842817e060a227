package io.bosun.controller;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What the controller manager gives one run of one {@link Controller}. Thread-safe. Valid for
 * that run only: once the run is stopped, the informers it handed out no longer deliver to the
 * run's handlers, its queues are shut down and its threads interrupted.
 */
@ProviderType
public interface ControllerContext {

  /** The controller's name ({@link Controller#name()}). */
  String name();

  /**
   * The API client. Its user agent names the controller manager, so writes are attributed to
   * the field manager {@code bosun-controller-manager}.
   */
  ApiClient client();

  /**
   * The shared informer of every {@code type} object in the cluster: one per kind for all the
   * manager's controllers, started on first use and kept across controller restarts. Handlers
   * added to the returned informer belong to this run and are removed when it stops. Indexes
   * added through its indexer are shared by every controller: an index name must always mean the
   * same function, and adding an index whose name exists keeps the existing one.
   *
   * @throws IllegalArgumentException if {@code type} is not a served kind
   */
  <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type);

  /** As {@link #informer(Class)}, restricted to {@code scope} (one informer per kind and scope). */
  <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type, InformerScope scope);

  /**
   * Blocks until every given informer has synced and its cache reflects at least every write
   * the API server acknowledged before this run started. The second part matters when a
   * controller is restarted while the shared informers keep running: the previous run's last
   * creates are then already in the caches, so the new run cannot create the same pods again.
   *
   * @return true once synced; false if the context was stopped first
   * @throws InterruptedException if the waiting thread is interrupted
   */
  boolean waitForCacheSync(SharedIndexInformer<?>... informers) throws InterruptedException;

  /** The recorder of this controller's events (source component {@code <name>-controller}). */
  EventRecorder eventRecorder();

  /** The clock to read "now" from (tests may move it). */
  Clock clock();

  /** How many workers this controller should run (configuration, as upstream's --concurrent-*-syncs). */
  int workers();

  /**
   * A factory of virtual threads named after the controller. The manager interrupts the threads
   * it made when the run stops and waits for them to end.
   */
  ThreadFactory threadFactory();

  /**
   * A new work queue with client-go's default controller rate limiter (per-item exponential
   * backoff 5 ms to 1000 s, overall 10 qps burst 100). It is shut down when the run stops.
   *
   * @param name names the queue in logs and metrics, such as {@code replicaset}
   */
  <K> WorkQueue<K> workQueue(String name);

  /**
   * Runs {@code workers} workers on {@code queue} and blocks until the context is stopped, then
   * shuts the queue down and waits for the workers to finish their current item. Each worker
   * loops: take a key, {@link Reconciler#reconcile}, forget it on success or re-queue it rate
   * limited on failure, mark it done.
   *
   * @throws InterruptedException if the calling thread is interrupted (the run is stopping)
   */
  <K> void runWorkers(WorkQueue<K> queue, int workers, Reconciler<K> reconciler) throws InterruptedException;

  /** Whether this run has been told to stop. */
  boolean isStopped();

  /**
   * Waits until this run is told to stop, or the timeout.
   *
   * @return whether it was stopped
   */
  boolean awaitStop(Duration timeout) throws InterruptedException;
}

package io.bosun.controller;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * One controller, such as upstream's ReplicaSet controller. Register it as an OSGi service
 * (a DS component with {@code service = Controller.class}); the controller manager runs every
 * registered controller while it leads, each on a thread of its own.
 *
 * <p>The life of a run, as upstream's {@code Run(ctx, workers)}:
 * <pre>{@code
 * public void run(ControllerContext ctx) throws InterruptedException {
 *   WorkQueue<String> queue = ctx.workQueue("replicaset");
 *   SharedIndexInformer<ReplicaSet> sets = ctx.informer(ReplicaSet.class);
 *   sets.addEventHandler(handlerThatQueuesKeys);            // removed by the manager at stop
 *   if (!ctx.waitForCacheSync(sets, pods)) return;          // false: stopped meanwhile
 *   ctx.runWorkers(queue, ctx.workers(), this::sync);       // blocks until stopped
 * }
 * }</pre>
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #run} blocks until the context is stopped ({@link ControllerContext#isStopped()};
 *       the run thread is also interrupted) and must then return promptly. If it returns or
 *       throws earlier, the manager runs it again after a backoff (1 s doubling to 1 min).</li>
 *   <li>{@code run} may be called again after it returned (leadership lost and regained): keep
 *       per-run state (queues, expectations, caches) in objects created by {@code run}, not in
 *       fields. It is never called twice concurrently for one service instance.</li>
 *   <li>Everything a run acquires through its context (handlers added to its informers, work
 *       queues, threads from its thread factory) is released by the manager when the run ends,
 *       so a replaced bundle leaves nothing running. Threads started any other way are the
 *       controller's to stop before {@code run} returns.</li>
 *   <li>Nothing survives a run but the API's state: a new run (or a new version of the bundle)
 *       rebuilds expectations from scratch and reconciles every object from the informers,
 *       whose caches the manager guarantees to be at least as new as every write acknowledged
 *       before the run started (see {@link ControllerContext#waitForCacheSync}).</li>
 * </ul>
 */
@ConsumerType
public interface Controller {

  /**
   * The controller's name as upstream's {@code --controllers} flag spells it, such as
   * {@code replicaset} or {@code deployment}: unique within a manager, stable across versions.
   * Names the controller's threads, its configuration and the source component of its events
   * ({@code <name>-controller}).
   */
  String name();

  /**
   * Runs the controller until {@code context} is stopped; see the class documentation.
   *
   * @throws InterruptedException when interrupted because the context stopped
   * @throws Exception            any other failure: logged, and the controller is run again
   *                              after a backoff
   */
  void run(ControllerContext context) throws Exception;
}

package io.bosun.controllers.core.gc;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controllers.core.internal.Kinds;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's garbage collector ({@code pkg/controller/garbagecollector}): keeps a graph of every
 * object's owner references (from informers on every served kind but Events) and
 * <ul>
 *   <li>deletes objects all of whose owners are gone (background propagation), owners matched by
 *       uid, so an owner re-created under the same name does not keep them;</li>
 *   <li>for an owner deleted in the foreground ({@code foregroundDeletion} finalizer) deletes its
 *       dependents first and removes the finalizer once no dependent with
 *       {@code blockOwnerDeletion} is left;</li>
 *   <li>for an owner deleted with the {@code orphan} finalizer removes the owner references to it
 *       from its dependents, then the finalizer.</li>
 * </ul>
 * Every decision is checked against a live read of the owners, as upstream does.
 */
@Component(service = Controller.class)
public final class GarbageCollector implements Controller {

  private final Kinds kinds = Kinds.load();

  @Override
  public String name() {
    return "garbagecollector";
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new GcRun(context, kinds).run();
  }
}

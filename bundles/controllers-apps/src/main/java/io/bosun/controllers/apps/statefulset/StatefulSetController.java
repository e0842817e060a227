package io.bosun.controllers.apps.statefulset;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's StatefulSet controller ({@code pkg/controller/statefulset}): pods with stable
 * identities {@code <set>-<ordinal>} and per-pod claims, created and deleted in order
 * (OrderedReady) or in parallel, updated by RollingUpdate with a partition or OnDelete, with
 * ControllerRevision history. See {@link StatefulSetRun}.
 */
@Component(service = Controller.class)
public final class StatefulSetController implements Controller {

  /** The controller's name, as upstream's {@code --controllers}. */
  public static final String NAME = "statefulset";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new StatefulSetRun(context).run();
  }
}

package io.bosun.controllers.apps.daemon;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's DaemonSet controller ({@code pkg/controller/daemon}): one pod per eligible node,
 * placed by the scheduler through a node affinity to that node, rolled with RollingUpdate
 * (maxUnavailable or maxSurge) or OnDelete, with ControllerRevision history. See {@link DaemonSetRun}.
 */
@Component(service = Controller.class)
public final class DaemonSetController implements Controller {

  /** The controller's name, as upstream's {@code --controllers}. */
  public static final String NAME = "daemonset";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new DaemonSetRun(context).run();
  }
}

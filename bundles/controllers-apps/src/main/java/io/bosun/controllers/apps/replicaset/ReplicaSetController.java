package io.bosun.controllers.apps.replicaset;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's ReplicaSet controller ({@code pkg/controller/replicaset}): keeps
 * {@code spec.replicas} active pods for each ReplicaSet, adopting matching orphans and releasing
 * pods that no longer match, and reports status. See {@link ReplicaSetRun} for the details.
 */
@Component(service = Controller.class)
public final class ReplicaSetController implements Controller {

  /** The controller's name, as upstream's {@code --controllers}. */
  public static final String NAME = "replicaset";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new ReplicaSetRun(context).run();
  }
}

package io.bosun.controllers.apps.deployment;

import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's Deployment controller ({@code pkg/controller/deployment}): rolls ReplicaSets for
 * Deployments (RollingUpdate and Recreate), keeps revisions, scales proportionally, honours
 * pause, and reports progress and availability. See {@link DeploymentRun}.
 */
@Component(service = Controller.class)
public final class DeploymentController implements Controller {

  /** The controller's name, as upstream's {@code --controllers}. */
  public static final String NAME = "deployment";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(ControllerContext context) throws Exception {
    new DeploymentRun(context).run();
  }
}

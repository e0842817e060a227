package io.bosun.controllers.core.serviceaccount;

import io.bosun.api.core.v1.Namespace;
import io.bosun.api.core.v1.ServiceAccount;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controllers.core.internal.Handlers;
import org.osgi.service.component.annotations.Component;

/**
 * Upstream's service account controller ({@code pkg/controller/serviceaccount}): every active
 * namespace has a {@code default} ServiceAccount; a deleted one is created again. Namespaces
 * being terminated get none.
 */
@Component(service = Controller.class)
public final class ServiceAccountController implements Controller {

  /** The service accounts every namespace gets. */
  static final String DEFAULT = "default";

  @Override
  public String name() {
    return "serviceaccount";
  }

  @Override
  public void run(ControllerContext ctx) throws Exception {
    SharedIndexInformer<Namespace> namespaces = ctx.informer(Namespace.class);
    SharedIndexInformer<ServiceAccount> accounts = ctx.informer(ServiceAccount.class);
    ResourceClient<ServiceAccount> client = ctx.client().resources(ServiceAccount.class);
    WorkQueue<String> queue = ctx.workQueue("serviceaccount");
    accounts.addEventHandler(Handlers.of(null, null, sa -> {
      if (DEFAULT.equals(sa.getMetadata().getName())) {
        queue.add(sa.getMetadata().getNamespace());
      }
    }));
    namespaces.addEventHandler(Handlers.of(ns -> queue.add(ns.getMetadata().getName()),
        (o, ns) -> queue.add(ns.getMetadata().getName()), null));
    if (!ctx.waitForCacheSync(namespaces, accounts)) {
      return;
    }
    ctx.runWorkers(queue, ctx.workers(), name -> {
      Namespace ns = namespaces.indexer().get(null, name).orElse(null);
      if (ns == null || ns.getStatus() == null || !"Active".equals(ns.getStatus().getPhase())
          || ns.getMetadata().getDeletionTimestamp() != null) {
        return;
      }
      if (accounts.indexer().get(name, DEFAULT).isPresent()) {
        return;
      }
      try {
        client.create(new ServiceAccount().withMetadata(new ObjectMeta().withNamespace(name).withName(DEFAULT)));
      } catch (ClientStatusException e) {
        // Created meanwhile, or the namespace started terminating: nothing to do.
        boolean terminating = e.code() == 403 && String.valueOf(e.status().getMessage()).contains("being terminated");
        if (!e.isAlreadyExists() && !terminating && !e.isNotFound()) {
          throw e;
        }
      }
    });
  }
}

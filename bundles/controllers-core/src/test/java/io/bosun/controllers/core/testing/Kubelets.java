package io.bosun.controllers.core.testing;

import io.bosun.api.coordination.v1.Lease;
import io.bosun.api.coordination.v1.LeaseSpec;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The heartbeat half of fake kubelets: renews each node's Lease in {@code kube-node-lease} every
 * 300 ms (as a kubelet does every 10 s) and posts the node's Ready condition on demand. A stopped
 * node no longer renews; a revived one posts Ready again and renews.
 */
public final class Kubelets implements AutoCloseable {

  private final ApiClient client;
  private final Set<String> alive = ConcurrentHashMap.newKeySet();
  private final Thread thread;

  public Kubelets(ApiClient client, List<String> nodes) {
    this.client = client;
    alive.addAll(nodes);
    thread = Thread.ofVirtual().name("fake-kubelet-leases").start(this::renewLoop);
  }

  /** The node's kubelet stops: no more lease renewals or status. */
  public void stop(String node) {
    alive.remove(node);
  }

  /** The node's kubelet comes back: Ready=True posted now, leases renewed again. */
  public void revive(String node) {
    postReady(node, "True", "KubeletReady", "kubelet is posting ready status");
    alive.add(node);
  }

  /** Posts the node's Ready condition as a kubelet does (a new heartbeat; a new transition time when it changes). */
  public void postReady(String node, String status, String reason, String message) {
    for (int attempt = 0; attempt < 10; attempt++) {
      Node n = client.resources(Node.class).get(null, node).orElseThrow();
      Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
      List<NodeCondition> conditions = n.getStatus().getConditions() == null ? new ArrayList<>()
          : new ArrayList<>(n.getStatus().getConditions());
      NodeCondition old = conditions.stream().filter(c -> "Ready".equals(c.getType())).findFirst().orElse(null);
      NodeCondition ready = new NodeCondition().withType("Ready").withStatus(status).withReason(reason).withMessage(message)
          .withLastHeartbeatTime(now)
          .withLastTransitionTime(old != null && status.equals(old.getStatus()) ? old.getLastTransitionTime() : now);
      conditions.removeIf(c -> "Ready".equals(c.getType()));
      conditions.add(ready);
      n.getStatus().setConditions(conditions);
      try {
        client.resources(Node.class).updateStatus(n);
        return;
      } catch (ClientStatusException e) {
        if (!e.isConflict()) {
          throw e;
        }
      }
    }
    throw new IllegalStateException("could not post the status of " + node);
  }

  private void renewLoop() {
    while (!Thread.currentThread().isInterrupted()) {
      for (String node : alive) {
        try {
          renew(node);
        } catch (ClientException e) {
          // The next round retries.
        }
      }
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void renew(String node) {
    var leases = client.resources(Lease.class);
    Instant now = Instant.now();
    Lease lease = leases.get("kube-node-lease", node).orElse(null);
    if (lease == null) {
      leases.create(new Lease().withMetadata(new ObjectMeta().withNamespace("kube-node-lease").withName(node))
          .withSpec(new LeaseSpec().withHolderIdentity(node).withLeaseDurationSeconds(40).withRenewTime(now)));
      return;
    }
    lease.getSpec().setRenewTime(now);
    leases.update(lease);
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

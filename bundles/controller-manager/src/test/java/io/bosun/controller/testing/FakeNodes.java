package io.bosun.controller.testing;

import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerState;
import io.bosun.api.core.v1.ContainerStateRunning;
import io.bosun.api.core.v1.ContainerStateTerminated;
import io.bosun.api.core.v1.ContainerStatus;
import io.bosun.api.core.v1.Node;
import io.bosun.api.core.v1.NodeCondition;
import io.bosun.api.core.v1.NodeSelectorRequirement;
import io.bosun.api.core.v1.NodeSelectorTerm;
import io.bosun.api.core.v1.NodeSpec;
import io.bosun.api.core.v1.NodeStatus;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.core.v1.PodIP;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.core.v1.Taint;
import io.bosun.api.core.v1.Toleration;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.client.workqueue.RateLimiters;
import io.bosun.client.workqueue.WorkQueue;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays scheduler and kubelets for controller tests, through the API only: binds pending pods to
 * fake nodes ({@code pods/binding}, honouring nodeName, nodeSelector, required node affinity and
 * NoSchedule/NoExecute taints, round robin), marks bound pods Running and Ready (status updates),
 * and completes graceful deletions as a kubelet would (delete with grace period 0). Each stage can
 * be switched off, and single pods can be made not ready, failed or succeeded.
 */
public final class FakeNodes implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FakeNodes.class);

  private final ApiClient client;
  private final SharedInformerFactory informers;
  private final SharedIndexInformer<Pod> pods;
  private final SharedIndexInformer<Node> nodes;
  private final WorkQueue<String> queue = new WorkQueue<>("fake-nodes",
      RateLimiters.exponentialFailure(Duration.ofMillis(5), Duration.ofSeconds(1)), null);
  private final List<Thread> workers = new ArrayList<>();
  private final Map<String, Boolean> readyOverride = new ConcurrentHashMap<>();
  private final Map<String, String> terminalOverride = new ConcurrentHashMap<>();
  private final AtomicInteger roundRobin = new AtomicInteger();
  private final AtomicInteger ips = new AtomicInteger();
  private volatile boolean scheduling = true;
  private volatile boolean starting = true;
  private volatile boolean autoReady = true;
  private volatile boolean finalizingDeletes = true;

  /** Fake nodes {@code node-1 .. node-<count>}, Ready, without taints, and the workers that drive pods. */
  public FakeNodes(ApiClient client, int count) {
    this.client = client;
    for (int i = 1; i <= count; i++) {
      addNode("node-" + i, Map.of(), List.of());
    }
    informers = new SharedInformerFactory(client);
    pods = informers.informerFor(Pod.class);
    nodes = informers.informerFor(Node.class);
    pods.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod obj, boolean initial) {
        queue.add(Keys.of(obj));
      }

      @Override
      public void onUpdate(Pod oldObj, Pod newObj) {
        queue.add(Keys.of(newObj));
      }
    });
    nodes.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Node obj, boolean initial) {
        requeueAll();
      }

      @Override
      public void onUpdate(Node oldObj, Node newObj) {
        requeueAll();
      }
    });
    informers.start();
    informers.waitForCacheSync(Duration.ofSeconds(30));
    for (int i = 0; i < 4; i++) {
      Thread t = Thread.ofVirtual().name("fake-nodes-" + i).start(this::work);
      workers.add(t);
    }
  }

  /** Creates a Ready node. */
  public Node addNode(String name, Map<String, String> labels, List<Taint> taints) {
    Map<String, String> l = new HashMap<>(labels);
    l.putIfAbsent("kubernetes.io/hostname", name);
    Node node = client.resources(Node.class).create(new Node()
        .withMetadata(new ObjectMeta().withName(name).withLabels(l))
        .withSpec(new NodeSpec().withTaints(taints.isEmpty() ? null : new ArrayList<>(taints))));
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    node.setStatus(new NodeStatus().withConditions(List.of(new NodeCondition().withType("Ready").withStatus("True")
        .withReason("KubeletReady").withLastHeartbeatTime(now).withLastTransitionTime(now))));
    return client.resources(Node.class).updateStatus(node);
  }

  /** Replaces a node's taints. */
  public void setTaints(String name, List<Taint> taints) {
    while (true) {
      Node n = client.resources(Node.class).get(null, name).orElseThrow();
      n.getSpec().setTaints(taints.isEmpty() ? null : new ArrayList<>(taints));
      try {
        client.resources(Node.class).update(n);
        return;
      } catch (ClientStatusException e) {
        if (!e.isConflict()) {
          throw e;
        }
      }
    }
  }

  /** Deletes a node (its pods stay bound to it, as upstream until pod GC). */
  public void deleteNode(String name) {
    client.resources(Node.class).delete(null, name, null);
  }

  /** Whether pending pods get bound. */
  public void setScheduling(boolean on) {
    scheduling = on;
    requeueAll();
  }

  /** Whether bound pods are started (phase Running). */
  public void setStarting(boolean on) {
    starting = on;
    requeueAll();
  }

  /** Whether started pods become Ready (unless set per pod); pods already ready stay ready. */
  public void setAutoReady(boolean on) {
    autoReady = on;
    requeueAll();
  }

  /** Whether graceful deletions are completed (as a kubelet confirms a pod stopped). */
  public void setFinalizingDeletes(boolean on) {
    finalizingDeletes = on;
    requeueAll();
  }

  /** Makes one pod (by uid) Ready or not, whatever {@link #setAutoReady} says. */
  public void setReady(Pod pod, boolean ready) {
    readyOverride.put(pod.getMetadata().getUid(), ready);
    queue.add(Keys.of(pod));
  }

  /** Ends one pod's containers: {@code Failed} or {@code Succeeded}. */
  public void terminate(Pod pod, boolean succeeded) {
    terminalOverride.put(pod.getMetadata().getUid(), succeeded ? "Succeeded" : "Failed");
    queue.add(Keys.of(pod));
  }

  private void requeueAll() {
    if (pods != null) {
      pods.indexer().listKeys().forEach(queue::add);
    }
  }

  private void work() {
    while (true) {
      String key;
      try {
        key = queue.get();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        process(key);
        queue.forget(key);
      } catch (ClientException e) {
        if (!queue.isShuttingDown()) {
          LOG.debug("fake nodes: {} failed: {}", key, e.getMessage());
          queue.addRateLimited(key);
        }
      } catch (RuntimeException e) {
        LOG.warn("fake nodes: {} failed", key, e);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  }

  private void process(String key) {
    Pod pod = pods.indexer().getByKey(key).orElse(null);
    if (pod == null) {
      return;
    }
    ObjectMeta m = pod.getMetadata();
    if (m.getDeletionTimestamp() != null) {
      if (finalizingDeletes) {
        try {
          client.pods().delete(m.getNamespace(), m.getName(), new DeleteOptions().withGracePeriodSeconds(0L)
              .withPreconditions(new Preconditions().withUid(m.getUid())));
        } catch (ClientStatusException e) {
          if (!e.isNotFound() && !e.isConflict()) {
            throw e;
          }
        }
      }
      return;
    }
    String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "" : pod.getStatus().getPhase();
    if (phase.equals("Succeeded") || phase.equals("Failed")) {
      return;
    }
    String nodeName = pod.getSpec().getNodeName();
    if (nodeName == null || nodeName.isEmpty()) {
      if (scheduling) {
        Node node = pickNode(pod);
        if (node != null) {
          try {
            client.pods().bind(pod, node.getMetadata().getName());
          } catch (ClientStatusException e) {
            if (!e.isConflict() && !e.isNotFound()) {
              throw e;
            }
          }
        }
      }
      return;
    }
    if (!starting) {
      return;
    }
    String terminal = terminalOverride.get(m.getUid());
    Boolean override = readyOverride.get(m.getUid());
    boolean ready = terminal == null && (override != null ? override : autoReady || isReady(pod));
    String wantPhase = terminal != null ? terminal : "Running";
    if (wantPhase.equals(phase) && ready == isReady(pod)) {
      return;
    }
    client.pods().updateStatus(withStatus(pod, wantPhase, ready));
  }

  private static boolean isReady(Pod pod) {
    return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions()
        .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  private Pod withStatus(Pod pod, String phase, boolean ready) {
    Pod p = pod.deepCopy();
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    PodStatus old = p.getStatus() == null ? new PodStatus() : p.getStatus();
    String r = ready ? "True" : "False";
    Instant readySince = now;
    if (old.getConditions() != null) {
      for (PodCondition c : old.getConditions()) {
        if ("Ready".equals(c.getType()) && r.equals(c.getStatus()) && c.getLastTransitionTime() != null) {
          readySince = c.getLastTransitionTime();
        }
      }
    }
    Instant start = old.getStartTime() == null ? now : old.getStartTime();
    String ip = old.getPodIP() != null ? old.getPodIP() : "10.244." + (ips.get() / 250) + "." + (ips.incrementAndGet() % 250 + 1);
    List<ContainerStatus> statuses = new ArrayList<>();
    for (Container c : p.getSpec().getContainers()) {
      ContainerState state = phase.equals("Running")
          ? new ContainerState().withRunning(new ContainerStateRunning().withStartedAt(start))
          : new ContainerState().withTerminated(new ContainerStateTerminated().withExitCode(phase.equals("Succeeded") ? 0 : 1)
              .withReason(phase.equals("Succeeded") ? "Completed" : "Error").withStartedAt(start).withFinishedAt(now));
      statuses.add(new ContainerStatus().withName(c.getName()).withImage(c.getImage())
          .withImageID("docker.io/library/" + c.getImage()).withContainerID("fake://" + p.getMetadata().getUid() + "/" + c.getName())
          .withReady(ready).withStarted(phase.equals("Running")).withRestartCount(0).withState(state));
    }
    p.setStatus(new PodStatus().withPhase(phase).withHostIP("10.0.0.1").withPodIP(ip)
        .withPodIPs(List.of(new PodIP().withIp(ip))).withStartTime(start).withQosClass(old.getQosClass())
        .withConditions(List.of(
            cond("PodScheduled", "True", start), cond("Initialized", "True", start),
            cond("ContainersReady", r, readySince), cond("Ready", r, readySince)))
        .withContainerStatuses(statuses));
    return p;
  }

  private static PodCondition cond(String type, String status, Instant since) {
    return new PodCondition().withType(type).withStatus(status).withLastTransitionTime(since);
  }

  private Node pickNode(Pod pod) {
    List<Node> fit = nodes.indexer().list().stream().filter(n -> fits(pod, n))
        .sorted(Comparator.comparing(n -> n.getMetadata().getName())).toList();
    if (fit.isEmpty()) {
      return null;
    }
    return fit.get(Math.floorMod(roundRobin.getAndIncrement(), fit.size()));
  }

  /** Required node affinity, node selector and NoSchedule/NoExecute taints, as the scheduler's filters. */
  static boolean fits(Pod pod, Node node) {
    if (node.getSpec() != null && Boolean.TRUE.equals(node.getSpec().getUnschedulable())) {
      return false;
    }
    Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    Map<String, String> selector = pod.getSpec().getNodeSelector();
    if (selector != null) {
      for (var e : selector.entrySet()) {
        if (!e.getValue().equals(labels.get(e.getKey()))) {
          return false;
        }
      }
    }
    var affinity = pod.getSpec().getAffinity();
    if (affinity != null && affinity.getNodeAffinity() != null
        && affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      List<NodeSelectorTerm> terms = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
          .getNodeSelectorTerms();
      if (terms == null || terms.stream().noneMatch(t -> termMatches(t, labels, node.getMetadata().getName()))) {
        return false;
      }
    }
    List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
    List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
    for (Taint t : taints) {
      if (("NoSchedule".equals(t.getEffect()) || "NoExecute".equals(t.getEffect()))
          && tolerations.stream().noneMatch(tol -> tolerates(tol, t))) {
        return false;
      }
    }
    return true;
  }

  private static boolean termMatches(NodeSelectorTerm term, Map<String, String> labels, String nodeName) {
    boolean any = false;
    if (term.getMatchExpressions() != null) {
      for (NodeSelectorRequirement r : term.getMatchExpressions()) {
        any = true;
        if (!requirementMatches(r, labels.get(r.getKey()), labels.containsKey(r.getKey()))) {
          return false;
        }
      }
    }
    if (term.getMatchFields() != null) {
      for (NodeSelectorRequirement r : term.getMatchFields()) {
        any = true;
        if (!"metadata.name".equals(r.getKey()) || !requirementMatches(r, nodeName, true)) {
          return false;
        }
      }
    }
    return any;
  }

  private static boolean requirementMatches(NodeSelectorRequirement r, String value, boolean present) {
    List<String> values = r.getValues() == null ? List.of() : r.getValues();
    return switch (r.getOperator()) {
      case "In" -> present && values.contains(value);
      case "NotIn" -> !present || !values.contains(value);
      case "Exists" -> present;
      case "DoesNotExist" -> !present;
      case "Gt" -> present && Long.parseLong(value) > Long.parseLong(values.get(0));
      case "Lt" -> present && Long.parseLong(value) < Long.parseLong(values.get(0));
      default -> false;
    };
  }

  private static boolean tolerates(Toleration tol, Taint taint) {
    if (tol.getEffect() != null && !tol.getEffect().isEmpty() && !tol.getEffect().equals(taint.getEffect())) {
      return false;
    }
    if (tol.getKey() != null && !tol.getKey().isEmpty() && !tol.getKey().equals(taint.getKey())) {
      return false;
    }
    if ("Exists".equals(tol.getOperator())) {
      return true;
    }
    return (tol.getKey() != null && !tol.getKey().isEmpty()) && Objects.equals(nz(tol.getValue()), nz(taint.getValue()));
  }

  private static String nz(String s) {
    return s == null ? "" : s;
  }

  /** Stops the workers and informers. */
  @Override
  public void close() {
    queue.shutDown();
    workers.forEach(Thread::interrupt);
    for (Thread t : workers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    informers.close();
  }
}

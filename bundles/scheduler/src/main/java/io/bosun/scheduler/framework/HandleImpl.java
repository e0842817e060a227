package io.bosun.scheduler.framework;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.EventType;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.ObjectLister;
import io.bosun.scheduler.spi.Parallelizer;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.SharedLister;
import io.bosun.scheduler.spi.Status;
import io.bosun.scheduler.spi.WaitingPod;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Handle} of one profile instance. */
final class HandleImpl implements Handle {

  private static final Logger LOG = LoggerFactory.getLogger(HandleImpl.class);

  private final String profileName;
  private final FrameworkServices services;
  private volatile Framework framework;

  HandleImpl(String profileName, FrameworkServices services) {
    this.profileName = profileName;
    this.services = services;
  }

  void setFramework(Framework framework) {
    this.framework = framework;
  }

  @Override
  public String profileName() {
    return profileName;
  }

  @Override
  public SharedLister snapshotLister() {
    return services.snapshot();
  }

  @Override
  public Parallelizer parallelizer() {
    return services.parallelizer();
  }

  @Override
  public <T extends KubernetesObject> ObjectLister<T> lister(Class<T> type) {
    return services.cluster().lister(type);
  }

  @Override
  public List<PodInfo> nominatedPodsForNode(String nodeName) {
    return services.nominatedPodsForNode(nodeName);
  }

  private Framework framework() {
    Framework f = framework;
    if (f == null) {
      throw new IllegalStateException("the profile " + profileName + " is still being built");
    }
    return f;
  }

  @Override
  public Status runFilterPluginsWithNominatedPods(CycleState state, Pod pod, NodeInfo nodeInfo) {
    return framework().runFilterPluginsWithNominatedPods(state, pod, nodeInfo);
  }

  @Override
  public Status runPreFilterExtensionAddPod(CycleState state, Pod podToSchedule, PodInfo podToAdd, NodeInfo nodeInfo) {
    return framework().runPreFilterExtensionAddPod(state, podToSchedule, podToAdd, nodeInfo);
  }

  @Override
  public Status runPreFilterExtensionRemovePod(CycleState state, Pod podToSchedule, PodInfo podToRemove,
      NodeInfo nodeInfo) {
    return framework().runPreFilterExtensionRemovePod(state, podToSchedule, podToRemove, nodeInfo);
  }

  @Override
  public List<WaitingPod> waitingPods() {
    return services.waitingPods().list();
  }

  @Override
  public WaitingPod waitingPod(String uid) {
    return services.waitingPods().get(uid);
  }

  @Override
  public Status bind(Pod pod, String nodeName) {
    try {
      services.cluster().bind(pod, nodeName);
      return null;
    } catch (RuntimeException e) {
      return Status.error(e);
    }
  }

  @Override
  public Status deletePod(Pod victim, String message) {
    String uid = victim.getMetadata() == null ? null : victim.getMetadata().getUid();
    WaitingPods.Waiting w = uid == null ? null : services.waitingPods().get(uid);
    if (w != null) {
      w.reject("preemption", "preempted: " + message);
      return null;
    }
    try {
      PodCondition c = new PodCondition().withType("DisruptionTarget").withStatus("True")
          .withReason("PreemptionByScheduler").withMessage(profileName + ": preempting to accommodate a higher priority pod")
          .withLastTransitionTime(Instant.now());
      services.cluster().deletePod(victim, c);
      services.cluster().recordEvent(victim, EventType.NORMAL.value(), "Preempted", "Preempting", message);
      return null;
    } catch (RuntimeException e) {
      LOG.warn("Could not preempt {}: {}", PodInfo.of(victim).key(), e.toString());
      return Status.error(e);
    }
  }

  @Override
  public Status setNominatedNodeName(Pod pod, String nodeName) {
    services.nominate(pod, nodeName);
    try {
      services.cluster().updatePodStatus(pod, null, true, nodeName);
      return null;
    } catch (RuntimeException e) {
      return Status.error(e);
    }
  }

  @Override
  public void recordEvent(KubernetesObject regarding, EventType type, String reason, String message) {
    services.cluster().recordEvent(regarding, type.value(), reason, reason, message);
  }

  @Override
  public void activate(Collection<Pod> pods) {
    services.activate(pods);
  }

  @Override
  public String toString() {
    return "Handle{" + profileName + "}";
  }
}

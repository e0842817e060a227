package io.bosun.scheduler.plugins.defaultpreemption;

import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodCondition;
import io.bosun.api.labels.LabelSelector;
import io.bosun.api.labels.SelectorException;
import io.bosun.api.policy.v1.PodDisruptionBudget;
import io.bosun.scheduler.spi.CycleState;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.NodeInfo;
import io.bosun.scheduler.spi.NodeToStatus;
import io.bosun.scheduler.spi.PodInfo;
import io.bosun.scheduler.spi.PostFilterPlugin;
import io.bosun.scheduler.spi.PostFilterResult;
import io.bosun.scheduler.spi.Status;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Upstream's {@code DefaultPreemption} PostFilter plugin: when no node fits, finds nodes where
 * evicting pods of lower priority than the pod's makes it fit, picks one, evicts the victims
 * through {@link Handle#deletePod} and returns the node to nominate.
 *
 * <ul>
 *   <li>A pod with {@code preemptionPolicy: Never} does not preempt; nor does one whose nominated
 *       node still has a lower-priority pod terminating because of an earlier preemption.</li>
 *   <li>Only nodes whose filter status is {@link Status.Code#UNSCHEDULABLE} are tried (others cannot
 *       be helped by evictions), starting at a random offset, until enough candidates are found:
 *       {@code max(minCandidateNodesAbsolute, nodes * minCandidateNodesPercentage / 100)}, stopping
 *       early only once a candidate without PodDisruptionBudget violations exists.</li>
 *   <li>On each node all lower-priority pods are removed (with the PreFilter extensions of the
 *       profile updating their state), the filters must then pass, and victims are reprieved one by
 *       one, highest priority first, PDB-violating ones before the others, as long as the pod still
 *       fits (with equal-or-higher-priority nominated pods counted).</li>
 *   <li>The node is chosen by upstream's criteria in order: fewest PDB violations, lowest highest
 *       victim priority, smallest sum of victim priorities, fewest victims, latest start time of the
 *       highest-priority victims, then the first found.</li>
 *   <li>Lower-priority pods nominated to that node lose their nomination.</li>
 * </ul>
 *
 * <p>Immutable; per-attempt data stays on the stack and in copies of the cycle state. Blocks for
 * the API calls of the evictions.
 */
public final class DefaultPreemption implements PostFilterPlugin {

  /** The plugin's name in profiles and on its factory. */
  public static final String NAME = "DefaultPreemption";
  static final String NOT_HELPFUL = "Preemption is not helpful for scheduling";
  static final String NO_VICTIMS = "No preemption victims found for incoming pod";

  private final Handle handle;
  private final int minCandidateNodesPercentage;
  private final int minCandidateNodesAbsolute;
  private final IntUnaryOperator randomOffset;
  private final Supplier<Instant> now;

  /**
   * @param randomOffset picks the first node to try among n potential nodes (upstream: random)
   * @param now          the start time assumed for victims that have not started yet
   */
  DefaultPreemption(Handle handle, int minCandidateNodesPercentage, int minCandidateNodesAbsolute,
      IntUnaryOperator randomOffset, Supplier<Instant> now) {
    this.handle = Objects.requireNonNull(handle, "handle");
    this.minCandidateNodesPercentage = minCandidateNodesPercentage;
    this.minCandidateNodesAbsolute = minCandidateNodesAbsolute;
    this.randomOffset = randomOffset;
    this.now = now;
  }

  DefaultPreemption(Handle handle, int minCandidateNodesPercentage, int minCandidateNodesAbsolute) {
    this(handle, minCandidateNodesPercentage, minCandidateNodesAbsolute, n -> ThreadLocalRandom.current().nextInt(n),
        Instant::now);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public PostFilterResult postFilter(CycleState state, Pod pod, NodeToStatus filteredNodeStatuses) {
    PostFilterResult r = preempt(state, pod, filteredNodeStatuses);
    Status s = r.status();
    if (s != null && !s.message().isEmpty() && !s.isSuccess()) {
      Status prefixed = Status.of(s.code(), "preemption: " + s.message());
      return new PostFilterResult(s.code() == Status.Code.ERROR ? Status.error("preemption: " + s.message()) : prefixed,
          r.nominatedNodeName());
    }
    return r;
  }

  private PostFilterResult preempt(CycleState state, Pod pod, NodeToStatus statuses) {
    PodInfo preemptor = PodInfo.of(pod);
    String notEligible = notEligibleReason(pod, preemptor, statuses);
    if (notEligible != null) {
      return PostFilterResult.unschedulable(notEligible);
    }
    List<NodeInfo> allNodes = handle.snapshotLister().nodeInfos().list();
    if (allNodes.isEmpty()) {
      return new PostFilterResult(Status.error("no nodes available"), null);
    }
    List<NodeInfo> potential = new ArrayList<>();
    for (NodeInfo n : allNodes) {
      if (Status.code(statuses.get(n.name())) == Status.Code.UNSCHEDULABLE) {
        potential.add(n);
      }
    }
    if (potential.isEmpty()) {
      // Nothing can help: a stale nomination would only hold room for nothing.
      clearNomination(pod);
      return PostFilterResult.unschedulable(fitError(allNodes.size(), Map.of()));
    }
    List<PodDisruptionBudget> pdbs = handle.lister(PodDisruptionBudget.class).list();
    int numCandidates = numCandidates(potential.size());
    int offset = randomOffset.applyAsInt(potential.size());
    DryRun run = dryRun(state, pod, preemptor, potential, pdbs, offset, numCandidates);
    if (run.candidates.isEmpty()) {
      if (!run.errors.isEmpty()) {
        return new PostFilterResult(run.errors.get(0), null);
      }
      return PostFilterResult.unschedulable(fitError(allNodes.size(), run.statuses));
    }
    Candidate best = selectCandidate(run.candidates);
    Status prepared = prepareCandidate(best, pod, preemptor);
    if (!Status.isSuccess(prepared)) {
      return new PostFilterResult(prepared, null);
    }
    return PostFilterResult.nominate(best.nodeName());
  }

  /** Upstream's {@code PodEligibleToPreemptOthers}; null if eligible, else the reason. */
  private String notEligibleReason(Pod pod, PodInfo preemptor, NodeToStatus statuses) {
    if ("Never".equals(pod.getSpec() == null ? null : pod.getSpec().getPreemptionPolicy())) {
      return "not eligible due to preemptionPolicy=Never.";
    }
    String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    if (nominated == null || nominated.isEmpty()) {
      return null;
    }
    // The nominated node cannot be helped any more: try again elsewhere.
    if (Status.code(statuses.get(nominated)) == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
      return null;
    }
    NodeInfo n = handle.snapshotLister().nodeInfos().get(nominated);
    if (n != null) {
      for (PodInfo p : n.pods()) {
        if (p.priority() < preemptor.priority() && terminatingByPreemption(p.pod())) {
          // Victims of an earlier preemption are still going away: wait for them.
          return "not eligible due to a terminating pod on the nominated node.";
        }
      }
    }
    return null;
  }

  private static boolean terminatingByPreemption(Pod p) {
    if (p.getMetadata() == null || p.getMetadata().getDeletionTimestamp() == null || p.getStatus() == null
        || p.getStatus().getConditions() == null) {
      return false;
    }
    for (PodCondition c : p.getStatus().getConditions()) {
      if ("DisruptionTarget".equals(c.getType())) {
        return "True".equals(c.getStatus()) && "PreemptionByScheduler".equals(c.getReason());
      }
    }
    return false;
  }

  /** Upstream's {@code calculateNumCandidates}. */
  int numCandidates(int numNodes) {
    int n = numNodes * minCandidateNodesPercentage / 100;
    n = Math.max(n, minCandidateNodesAbsolute);
    return Math.min(n, numNodes);
  }

  private record DryRun(List<Candidate> candidates, Map<String, Status> statuses, List<Status> errors) {
  }

  /** Upstream's {@code DryRunPreemption}: non-violating candidates first, each group in discovery order. */
  private DryRun dryRun(CycleState state, Pod pod, PodInfo preemptor, List<NodeInfo> potential,
      List<PodDisruptionBudget> pdbs, int offset, int numCandidates) {
    int n = potential.size();
    Candidate[] nonViolating = new Candidate[n];
    Candidate[] violating = new Candidate[n];
    AtomicInteger nonViolatingCount = new AtomicInteger();
    AtomicInteger violatingCount = new AtomicInteger();
    Map<String, Status> statuses = new ConcurrentHashMap<>();
    List<Status> errors = new CopyOnWriteArrayList<>();
    AtomicBoolean enough = new AtomicBoolean();
    handle.parallelizer().until(n, i -> {
      if (enough.get()) {
        return;
      }
      NodeInfo node = potential.get((offset + i) % n);
      Victims v = selectVictimsOnNode(state.copy(), pod, preemptor, node, pdbs);
      if (Status.isSuccess(v.status) && !v.pods.isEmpty()) {
        Candidate c = new Candidate(node.name(), v.pods, v.numViolating);
        if (v.numViolating == 0) {
          nonViolating[i] = c;
          nonViolatingCount.incrementAndGet();
        } else {
          violating[i] = c;
          violatingCount.incrementAndGet();
        }
        if (nonViolatingCount.get() > 0 && nonViolatingCount.get() + violatingCount.get() >= numCandidates) {
          enough.set(true);
        }
        return;
      }
      Status s = Status.isSuccess(v.status)
          ? Status.error("expected at least one victim pod on node \"" + node.name() + "\"") : v.status;
      if (s.code() == Status.Code.ERROR) {
        errors.add(s);
      }
      statuses.put(node.name(), s);
    });
    List<Candidate> out = new ArrayList<>();
    for (Candidate c : nonViolating) {
      if (c != null) {
        out.add(c);
      }
    }
    for (Candidate c : violating) {
      if (c != null) {
        out.add(c);
      }
    }
    return new DryRun(out, statuses, errors);
  }

  private record Victims(List<PodInfo> pods, int numViolating, Status status) {
  }

  /** Upstream's {@code SelectVictimsOnNode}, on {@code state} (a copy owned by this call). */
  private Victims selectVictimsOnNode(CycleState state, Pod pod, PodInfo preemptor, NodeInfo nodeInfo,
      List<PodDisruptionBudget> pdbs) {
    NodeInfo[] node = {nodeInfo};
    List<PodInfo> potential = new ArrayList<>();
    for (PodInfo p : nodeInfo.pods()) {
      if (p.priority() < preemptor.priority()) {
        potential.add(p);
        node[0] = node[0].withoutPod(p.uid());
        Status s = handle.runPreFilterExtensionRemovePod(state, pod, p, node[0]);
        if (!Status.isSuccess(s)) {
          return new Victims(List.of(), 0, asError(s));
        }
      }
    }
    if (potential.isEmpty()) {
      return new Victims(List.of(), 0, Status.unresolvable(NO_VICTIMS));
    }
    // If the pod does not fit even without every lower-priority pod, this node cannot help.
    Status fits = handle.runFilterPluginsWithNominatedPods(state, pod, node[0]);
    if (!Status.isSuccess(fits)) {
      return new Victims(List.of(), 0, fits);
    }
    Comparator<PodInfo> moreImportant = moreImportantFirst();
    potential.sort(moreImportant);
    List<PodInfo> violating = new ArrayList<>();
    List<PodInfo> nonViolating = new ArrayList<>();
    splitByPdbViolation(potential, pdbs, violating, nonViolating);
    List<PodInfo> victims = new ArrayList<>();
    int numViolating = 0;
    for (PodInfo p : violating) {
      Boolean reprieved = reprieve(state, pod, node, p, victims);
      if (reprieved == null) {
        return new Victims(List.of(), 0, Status.error("preemption: updating the state of node " + nodeInfo.name()));
      }
      if (!reprieved) {
        numViolating++;
      }
    }
    for (PodInfo p : nonViolating) {
      if (reprieve(state, pod, node, p, victims) == null) {
        return new Victims(List.of(), 0, Status.error("preemption: updating the state of node " + nodeInfo.name()));
      }
    }
    if (!violating.isEmpty() && !nonViolating.isEmpty()) {
      victims.sort(moreImportant);
    }
    return new Victims(victims, numViolating, Status.success());
  }

  /** Puts {@code p} back; keeps it if the pod still fits, else makes it a victim. Null on an extension error. */
  private Boolean reprieve(CycleState state, Pod pod, NodeInfo[] node, PodInfo p, List<PodInfo> victims) {
    node[0] = node[0].withPod(p);
    if (!Status.isSuccess(handle.runPreFilterExtensionAddPod(state, pod, p, node[0]))) {
      return null;
    }
    if (Status.isSuccess(handle.runFilterPluginsWithNominatedPods(state, pod, node[0]))) {
      return true;
    }
    node[0] = node[0].withoutPod(p.uid());
    if (!Status.isSuccess(handle.runPreFilterExtensionRemovePod(state, pod, p, node[0]))) {
      return null;
    }
    victims.add(p);
    return false;
  }

  /**
   * Upstream's {@code filterPodsWithPDBViolation}: walking the pods in order, each matching budget
   * (same namespace, non-empty selector, pod not yet in its disruptedPods) loses one allowed
   * disruption; a pod that takes any budget below zero violates it.
   */
  static void splitByPdbViolation(List<PodInfo> pods, List<PodDisruptionBudget> pdbs, List<PodInfo> violating,
      List<PodInfo> nonViolating) {
    int[] allowed = new int[pdbs.size()];
    LabelSelector[] selectors = new LabelSelector[pdbs.size()];
    for (int i = 0; i < pdbs.size(); i++) {
      PodDisruptionBudget pdb = pdbs.get(i);
      allowed[i] = pdb.getStatus() == null || pdb.getStatus().getDisruptionsAllowed() == null ? 0
          : pdb.getStatus().getDisruptionsAllowed();
      try {
        selectors[i] = LabelSelector.fromSpec(pdb.getSpec() == null ? null : pdb.getSpec().getSelector());
      } catch (SelectorException e) {
        selectors[i] = null; // an invalid selector matches no pod
      }
    }
    for (PodInfo p : pods) {
      Map<String, String> labels = p.pod().getMetadata() == null ? null : p.pod().getMetadata().getLabels();
      boolean violated = false;
      if (labels != null && !labels.isEmpty()) {
        for (int i = 0; i < pdbs.size(); i++) {
          PodDisruptionBudget pdb = pdbs.get(i);
          String ns = pdb.getMetadata() == null ? null : pdb.getMetadata().getNamespace();
          // A nil or empty selector matches nothing.
          if (!p.namespace().equals(ns) || selectors[i] == null || selectors[i].requirements().isEmpty()
              || !selectors[i].matches(labels)) {
            continue;
          }
          Map<String, String> disrupted = pdb.getStatus() == null ? null : pdb.getStatus().getDisruptedPods();
          if (disrupted != null && disrupted.containsKey(p.name())) {
            continue; // already being evicted through the budget: not counted twice
          }
          if (--allowed[i] < 0) {
            violated = true;
          }
        }
      }
      (violated ? violating : nonViolating).add(p);
    }
  }

  /** Upstream's {@code MoreImportantPod}: higher priority, then the earlier start time. */
  private Comparator<PodInfo> moreImportantFirst() {
    Instant t = now.get();
    return Comparator.comparingInt(PodInfo::priority).reversed().thenComparing(p -> startTime(p, t));
  }

  private static Instant startTime(PodInfo p, Instant now) {
    Instant s = p.pod().getStatus() == null ? null : p.pod().getStatus().getStartTime();
    return s == null ? now : s;
  }

  /** Upstream's {@code pickOneNodeForPreemption}, applying its tie-breakers in order. */
  Candidate selectCandidate(List<Candidate> candidates) {
    if (candidates.size() == 1) {
      return candidates.get(0);
    }
    Instant t = now.get();
    List<ToLongFunction<Candidate>> scores = List.of(
        c -> -c.numPdbViolations(),
        c -> -(long) c.victims().get(0).priority(),
        c -> {
          long sum = 0;
          for (PodInfo v : c.victims()) {
            // Shifted to be non-negative, so fewer pods of negative priority do not look worse.
            sum += (long) v.priority() + Integer.MAX_VALUE + 1L;
          }
          return -sum;
        },
        c -> -(long) c.victims().size(),
        c -> {
          Instant earliest = earliestStartOfHighestPriority(c.victims(), t);
          return earliest.getEpochSecond() * 1_000_000_000L + earliest.getNano();
        });
    List<Candidate> remaining = candidates;
    for (ToLongFunction<Candidate> f : scores) {
      long max = Long.MIN_VALUE;
      List<Candidate> best = new ArrayList<>();
      for (Candidate c : remaining) {
        long s = f.applyAsLong(c);
        if (s > max) {
          max = s;
          best.clear();
        }
        if (s == max) {
          best.add(c);
        }
      }
      if (best.size() == 1) {
        return best.get(0);
      }
      remaining = best;
    }
    return remaining.get(0);
  }

  /** Upstream's {@code GetEarliestPodStartTime}: the earliest start among the highest-priority victims. */
  private static Instant earliestStartOfHighestPriority(List<PodInfo> victims, Instant now) {
    int maxPriority = victims.get(0).priority();
    Instant earliest = startTime(victims.get(0), now);
    for (PodInfo v : victims) {
      if (v.priority() == maxPriority) {
        Instant s = startTime(v, now);
        if (s.isBefore(earliest)) {
          earliest = s;
        }
      } else if (v.priority() > maxPriority) {
        maxPriority = v.priority();
        earliest = startTime(v, now);
      }
    }
    return earliest;
  }

  /** Upstream's {@code prepareCandidate}: evicts the victims, then drops weaker nominations to the node. */
  private Status prepareCandidate(Candidate c, Pod pod, PodInfo preemptor) {
    String message = "Preempted by pod " + preemptor.uid() + " on node " + c.nodeName();
    AtomicReference<Status> failure = new AtomicReference<>();
    handle.parallelizer().until(c.victims().size(), i -> {
      if (failure.get() != null) {
        return;
      }
      Status s = handle.deletePod(c.victims().get(i).pod(), message);
      if (!Status.isSuccess(s)) {
        failure.compareAndSet(null, s);
      }
    });
    if (failure.get() != null) {
      return asError(failure.get());
    }
    for (PodInfo nominated : handle.nominatedPodsForNode(c.nodeName())) {
      if (nominated.priority() < preemptor.priority()) {
        // Best effort, as upstream: a failure only delays that pod's rescheduling.
        handle.setNominatedNodeName(nominated.pod(), null);
      }
    }
    return null;
  }

  private void clearNomination(Pod pod) {
    String nominated = pod.getStatus() == null ? null : pod.getStatus().getNominatedNodeName();
    if (nominated != null && !nominated.isEmpty()) {
      handle.setNominatedNodeName(pod, null);
    }
  }

  /**
   * Upstream's {@code FitError} message: {@code "0/N nodes are available: <count> <reason>, ...."}
   * with the reasons of the nodes tried and {@value #NOT_HELPFUL} for the others, sorted.
   */
  static String fitError(int numAllNodes, Map<String, Status> statuses) {
    Map<String, Integer> reasons = new TreeMap<>();
    for (Status s : statuses.values()) {
      for (String r : s.reasons()) {
        reasons.merge(r, 1, Integer::sum);
      }
    }
    if (statuses.size() < numAllNodes) {
      reasons.merge(NOT_HELPFUL, numAllNodes - statuses.size(), Integer::sum);
    }
    List<String> parts = new ArrayList<>();
    reasons.forEach((r, n) -> parts.add(n + " " + r));
    Collections.sort(parts);
    return "0/" + numAllNodes + " nodes are available: " + String.join(", ", parts) + ".";
  }

  private static Status asError(Status s) {
    return s.code() == Status.Code.ERROR ? s : Status.error(s.message());
  }
}

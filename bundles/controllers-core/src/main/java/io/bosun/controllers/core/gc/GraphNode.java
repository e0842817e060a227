package io.bosun.controllers.core.gc;

import io.bosun.api.meta.v1.OwnerReference;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One object in the ownership graph, as upstream's GC {@code node}: its identity, its owner
 * references and the nodes that name it as an owner. A <em>virtual</em> node stands for an owner
 * named by some object but not (yet) seen by an informer. Thread-safe: the graph builder changes
 * nodes while workers read them; every accessor synchronizes on the node.
 *
 * <p>Work queues hold nodes by identity (object equality), as upstream's queues hold pointers.
 */
final class GraphNode {

  private Identity identity;
  private final Set<GraphNode> dependents = new LinkedHashSet<>();
  private List<OwnerReference> owners;
  private boolean virtual;
  private boolean observed;
  private boolean beingDeleted;
  private boolean deletingDependents;
  /** Requeues while waiting to be observed, for the backoff. */
  private int unobservedRetries;

  GraphNode(Identity identity, List<OwnerReference> owners, boolean virtual) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.owners = owners == null ? List.of() : List.copyOf(owners);
    this.virtual = virtual;
    this.observed = !virtual;
  }

  synchronized Identity identity() {
    return identity;
  }

  synchronized void setIdentity(Identity identity) {
    this.identity = identity;
  }

  synchronized List<OwnerReference> owners() {
    return owners;
  }

  synchronized void setOwners(List<OwnerReference> owners) {
    this.owners = owners == null ? List.of() : List.copyOf(owners);
  }

  synchronized boolean isVirtual() {
    return virtual;
  }

  synchronized boolean isObserved() {
    return observed;
  }

  /** An informer showed the object: it is real from now on. */
  synchronized void markObserved() {
    observed = true;
    virtual = false;
  }

  synchronized boolean isBeingDeleted() {
    return beingDeleted;
  }

  synchronized void markBeingDeleted() {
    beingDeleted = true;
  }

  synchronized boolean isDeletingDependents() {
    return deletingDependents;
  }

  /** Being deleted in the foreground: its dependents go first. */
  synchronized void markDeletingDependents() {
    beingDeleted = true;
    deletingDependents = true;
  }

  synchronized void addDependent(GraphNode n) {
    dependents.add(n);
  }

  synchronized void removeDependent(GraphNode n) {
    dependents.remove(n);
  }

  synchronized List<GraphNode> dependents() {
    return new ArrayList<>(dependents);
  }

  synchronized int dependentsCount() {
    return dependents.size();
  }

  /** Dependents whose reference to this node has {@code blockOwnerDeletion: true}. */
  List<GraphNode> blockingDependents() {
    String uid = identity().uid();
    List<GraphNode> out = new ArrayList<>();
    for (GraphNode d : dependents()) {
      for (OwnerReference ref : d.owners()) {
        if (uid.equals(ref.getUid()) && Boolean.TRUE.equals(ref.getBlockOwnerDeletion())) {
          out.add(d);
          break;
        }
      }
    }
    return out;
  }

  /** The next delay while waiting for an informer to show this node. */
  synchronized long nextUnobservedDelayMillis() {
    int n = Math.min(unobservedRetries++, 8);
    return 50L << n;
  }

  /** A copy with the same links, for a changed identity (upstream replaces nodes rather than mutating them). */
  synchronized GraphNode copy() {
    GraphNode c = new GraphNode(identity, owners, virtual);
    c.observed = observed;
    c.beingDeleted = beingDeleted;
    c.deletingDependents = deletingDependents;
    c.dependents.addAll(dependents);
    return c;
  }

  @Override
  public String toString() {
    return identity().toString() + (isVirtual() ? " (virtual)" : "");
  }
}

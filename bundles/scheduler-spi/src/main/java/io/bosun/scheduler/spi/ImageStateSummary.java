package io.bosun.scheduler.spi;

/**
 * What the scheduler knows of a container image on a node, as upstream's
 * {@code framework.ImageStateSummary}: its size in bytes and on how many nodes of the cluster it is
 * present. Immutable.
 */
public record ImageStateSummary(long size, int numNodes) {
}

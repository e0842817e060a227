package io.bosun.scheduler.core;

/**
 * Where a pod goes, as upstream's {@code ScheduleResult}.
 *
 * @param suggestedHost  the chosen node
 * @param evaluatedNodes nodes filtered (feasible or not)
 * @param feasibleNodes  nodes that passed the filters (and were scored)
 */
public record ScheduleResult(String suggestedHost, int evaluatedNodes, int feasibleNodes) {
}

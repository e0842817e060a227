package io.bosun.scheduler.spi;

import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Implemented by a plugin that can reject pods (PreEnqueue, PreFilter, Filter, Reserve, Permit)
 * to say which cluster events may make such a pod schedulable again, as upstream's
 * {@code EnqueueExtensions}. A pod rejected by plugins moves from the unschedulable pods back to
 * the queue when an event registered by one of those plugins happens (and its hint says
 * {@link QueueingHint#QUEUE}); otherwise it waits until the periodic flush (5 minutes).
 *
 * <p>A rejecting plugin that does not implement this interface is treated as interested in every
 * event (upstream's behaviour), which is correct but requeues more than needed.
 */
@ConsumerType
public interface EnqueueExtensions {

  /**
   * The events of interest. Called once when the plugin instance is created; the result must not
   * change. An empty list means no event can help (pods rejected only by this plugin wait for the
   * periodic flush or an update of the pod itself).
   */
  List<ClusterEventWithHint> eventsToRegister();
}

package io.bosun.scheduler.spi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The extension points of the scheduling framework, in the order a pod meets them, each with the
 * interface a plugin implements to take part and the key that names it in a profile's
 * {@code plugins} section (as in upstream's {@code KubeSchedulerConfiguration}).
 */
public enum ExtensionPoint {
  /** Gate before a pod enters the active queue. */
  PRE_ENQUEUE("preEnqueue", PreEnqueuePlugin.class),
  /** Orders the active queue. */
  QUEUE_SORT("queueSort", QueueSortPlugin.class),
  /** Once per cycle before filtering. */
  PRE_FILTER("preFilter", PreFilterPlugin.class),
  /** Per node: can the pod run there. */
  FILTER("filter", FilterPlugin.class),
  /** When no node fits: e.g. preemption. */
  POST_FILTER("postFilter", PostFilterPlugin.class),
  /** Once per cycle before scoring. */
  PRE_SCORE("preScore", PreScorePlugin.class),
  /** Per node: how good a fit, then normalized. */
  SCORE("score", ScorePlugin.class),
  /** Reserve / unreserve resources for the chosen node. */
  RESERVE("reserve", ReservePlugin.class),
  /** Approve, deny or delay the binding. */
  PERMIT("permit", PermitPlugin.class),
  /** Work before binding (e.g. volumes). */
  PRE_BIND("preBind", PreBindPlugin.class),
  /** Writes the binding. */
  BIND("bind", BindPlugin.class),
  /** Informational, after a successful binding. */
  POST_BIND("postBind", PostBindPlugin.class);

  private final String configKey;
  private final Class<? extends Plugin> pluginType;

  ExtensionPoint(String configKey, Class<? extends Plugin> pluginType) {
    this.configKey = configKey;
    this.pluginType = pluginType;
  }

  /** The key of this extension point in a profile's {@code plugins} section, e.g. {@code preFilter}. */
  public String configKey() {
    return configKey;
  }

  /** The interface a plugin implements to serve this extension point. */
  public Class<? extends Plugin> pluginType() {
    return pluginType;
  }

  /** Whether {@code plugin} serves this extension point. */
  public boolean isImplementedBy(Plugin plugin) {
    return pluginType.isInstance(plugin);
  }

  /**
   * The extension points {@code plugin} serves, read from the interfaces of the instance.
   * Unmodifiable; empty for a plugin that implements none.
   */
  public static Set<ExtensionPoint> of(Plugin plugin) {
    EnumSet<ExtensionPoint> out = EnumSet.noneOf(ExtensionPoint.class);
    for (ExtensionPoint p : values()) {
      if (p.pluginType.isInstance(plugin)) {
        out.add(p);
      }
    }
    return Collections.unmodifiableSet(out);
  }

  /** The extension point named {@code configKey} in a profile, or null if there is none. */
  public static ExtensionPoint forConfigKey(String configKey) {
    for (ExtensionPoint p : values()) {
      if (p.configKey.equals(configKey)) {
        return p;
      }
    }
    return null;
  }
}

package io.bosun.scheduler.framework;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bosun.scheduler.config.PluginRef;
import io.bosun.scheduler.config.PluginSet;
import io.bosun.scheduler.config.ProfileSpec;
import io.bosun.scheduler.config.ResolvedProfile;
import io.bosun.scheduler.spi.ClusterEventWithHint;
import io.bosun.scheduler.spi.EnqueueExtensions;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import io.bosun.scheduler.spi.ScorePlugin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a {@link Framework} from a resolved profile and the plugin factories present, as
 * upstream's {@code NewFramework}: creates every needed plugin with its arguments, fills each
 * extension point from its plugin set, expands {@code multiPoint} by the interfaces each instance
 * implements (specific settings win, upstream's order), and computes score weights. Anything
 * missing or wrong makes a not-ready framework listing the problems; the instances created so far
 * are then closed.
 */
public final class FrameworkBuilder {

  /** Upstream's limit so that the weighted sum of scores cannot overflow. */
  static final long MAX_TOTAL_SCORE = Long.MAX_VALUE;

  private FrameworkBuilder() {
  }

  /**
   * Builds the framework of {@code profile}.
   *
   * @param factories the factory of each installed plugin by name (null: not installed)
   */
  public static Framework build(ResolvedProfile profile, Function<String, PluginFactory> factories,
      FrameworkServices services) {
    String name = profile.schedulerName();
    List<String> problems = new ArrayList<>();
    HandleImpl handle = new HandleImpl(name, services);
    Map<String, Plugin> plugins = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    Map<String, Object> used = usedFactories(profile, factories);
    for (String pluginName : profile.neededPlugins()) {
      PluginFactory f = factories.apply(pluginName);
      if (f == null) {
        missing.add(pluginName);
        continue;
      }
      JsonNode args = profile.args(pluginName);
      if (args == null) {
        args = JsonNodeFactory.instance.objectNode();
      }
      try {
        Plugin p = f.create(args.deepCopy(), handle);
        if (p == null) {
          problems.add("plugin " + pluginName + " of profile " + name + ": its factory returned no plugin");
        } else if (!pluginName.equals(p.name())) {
          problems.add("plugin " + pluginName + " of profile " + name + ": its factory made a plugin named " + p.name());
          closeQuietly(p);
        } else {
          plugins.put(pluginName, p);
        }
      } catch (IllegalArgumentException e) {
        problems.add("plugin " + pluginName + " of profile " + name + " rejected its arguments: " + e.getMessage());
      } catch (RuntimeException | LinkageError e) {
        problems.add("plugin " + pluginName + " of profile " + name + " failed to start: " + e);
      }
    }
    if (missing.size() == 1) {
      problems.add(0, "plugin " + missing.get(0) + " of profile " + name + " is not installed");
    } else if (!missing.isEmpty()) {
      problems.add(0, "plugins " + String.join(", ", missing) + " of profile " + name + " are not installed");
    }
    Map<ExtensionPoint, List<Plugin>> points = new LinkedHashMap<>();
    Map<String, Integer> weights = new LinkedHashMap<>();
    if (problems.isEmpty()) {
      for (ExtensionPoint ep : ExtensionPoint.values()) {
        points.put(ep, expand(profile, ep, plugins, problems));
      }
      if (problems.isEmpty()) {
        if (points.get(ExtensionPoint.QUEUE_SORT).size() != 1) {
          problems.add("only one queue sort plugin required for profile with scheduler name " + name + ", but got "
              + points.get(ExtensionPoint.QUEUE_SORT).size());
        }
        if (points.get(ExtensionPoint.BIND).isEmpty()) {
          problems.add("at least one bind plugin is needed for profile with scheduler name " + name);
        }
        weights(profile, plugins, weights, problems);
      }
    }
    Map<String, List<ClusterEventWithHint>> events = new LinkedHashMap<>();
    if (problems.isEmpty()) {
      for (Plugin p : plugins.values()) {
        if (p instanceof EnqueueExtensions ee) {
          try {
            List<ClusterEventWithHint> ev = ee.eventsToRegister();
            events.put(p.name(), ev == null ? List.of() : List.copyOf(ev));
          } catch (RuntimeException e) {
            problems.add("plugin " + p.name() + " of profile " + name + " failed to register its events: " + e);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      plugins.values().forEach(FrameworkBuilder::closeQuietly);
      return new Framework(name, profile, null, services, problems, Map.of(), Map.of(), Map.of(), Map.of(), used);
    }
    return new Framework(name, profile, handle, services, List.of(), plugins, points, weights, events, used);
  }

  /** Marks a plugin with no factory in {@link #usedFactories}. */
  private static final Object MISSING = new Object();

  /** The factory of every plugin {@code profile} needs (identity matters), {@link #MISSING} for absent ones. */
  static Map<String, Object> usedFactories(ResolvedProfile profile, Function<String, PluginFactory> factories) {
    Map<String, Object> used = new LinkedHashMap<>();
    for (String n : profile.neededPlugins()) {
      PluginFactory f = factories.apply(n);
      used.put(n, f == null ? MISSING : f);
    }
    return used;
  }

  /**
   * Whether {@code old} was built from the same profile and the same factories, so a rebuild can
   * keep it (and its plugin instances).
   */
  static boolean reusable(Framework old, ResolvedProfile profile, Function<String, PluginFactory> factories) {
    if (!old.profile().equals(profile)) {
      return false;
    }
    Map<String, Object> now = usedFactories(profile, factories);
    if (!now.keySet().equals(old.factories().keySet())) {
      return false;
    }
    for (Map.Entry<String, Object> e : now.entrySet()) {
      if (old.factories().get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    // a not-ready framework with the same inputs stays not ready; a ready one stays ready
    return true;
  }

  private static List<Plugin> expand(ResolvedProfile profile, ExtensionPoint ep, Map<String, Plugin> plugins,
      List<String> problems) {
    PluginSet specific = profile.pluginSet(ep.configKey());
    LinkedHashSet<String> enabled = new LinkedHashSet<>();
    for (PluginRef r : specific.enabled()) {
      Plugin p = plugins.get(r.name());
      if (!ep.isImplementedBy(p)) {
        problems.add("plugin " + r.name() + " of profile " + profile.schedulerName() + " does not extend "
            + ep.configKey() + " plugin");
        continue;
      }
      if (!enabled.add(r.name())) {
        problems.add("plugin " + r.name() + " of profile " + profile.schedulerName() + " already registered as "
            + ep.configKey());
      }
    }
    Set<String> disabled = new HashSet<>(specific.disabled());
    List<Plugin> out = new ArrayList<>();
    if (disabled.contains(PluginSet.ALL)) {
      enabled.forEach(n -> out.add(plugins.get(n)));
      return out;
    }
    LinkedHashSet<String> multi = new LinkedHashSet<>();
    Set<String> overrides = new HashSet<>();
    for (PluginRef r : profile.pluginSet(ProfileSpec.MULTI_POINT).enabled()) {
      Plugin p = plugins.get(r.name());
      if (!ep.isImplementedBy(p) || disabled.contains(r.name())) {
        continue;
      }
      if (enabled.contains(r.name())) {
        overrides.add(r.name());
        continue;
      }
      if (!multi.add(r.name())) {
        problems.add("plugin " + r.name() + " of profile " + profile.schedulerName() + " already registered as "
            + ep.configKey());
      }
    }
    // upstream's order: overridden multiPoint plugins (in specific order), multiPoint-only, specific-only
    for (String n : enabled) {
      if (overrides.contains(n)) {
        out.add(plugins.get(n));
      }
    }
    multi.forEach(n -> out.add(plugins.get(n)));
    for (String n : enabled) {
      if (!overrides.contains(n)) {
        out.add(plugins.get(n));
      }
    }
    return out;
  }

  private static void weights(ResolvedProfile profile, Map<String, Plugin> plugins, Map<String, Integer> weights,
      List<String> problems) {
    List<PluginRef> refs = new ArrayList<>(profile.pluginSet(ExtensionPoint.SCORE.configKey()).enabled());
    refs.addAll(profile.pluginSet(ProfileSpec.MULTI_POINT).enabled());
    long total = 0;
    for (PluginRef r : refs) {
      if (!(plugins.get(r.name()) instanceof ScorePlugin) || weights.containsKey(r.name())) {
        continue;
      }
      int w = r.weight() == 0 ? 1 : r.weight();
      if (w < 0) {
        problems.add("score plugin " + r.name() + " of profile " + profile.schedulerName() + " has a negative weight");
        continue;
      }
      weights.put(r.name(), w);
      if (total > MAX_TOTAL_SCORE / ScorePlugin.MAX_NODE_SCORE - w) {
        problems.add("total score of Score plugins could overflow in profile " + profile.schedulerName());
      }
      total += w;
    }
  }

  static void closeQuietly(Plugin p) {
    try {
      p.close();
    } catch (RuntimeException e) {
      // ignored: the instance is being discarded
    }
  }
}

package io.bosun.scheduler.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plugins enabled and disabled at one extension point (or {@code multiPoint}), as upstream's
 * {@code config.PluginSet}. A disabled name {@value #ALL} disables every plugin the base set
 * enabled there. Immutable.
 */
public record PluginSet(List<PluginRef> enabled, List<String> disabled) {

  /** The disabled name that means every plugin. */
  public static final String ALL = "*";

  /** Nothing enabled, nothing disabled. */
  public static final PluginSet EMPTY = new PluginSet(List.of(), List.of());

  public PluginSet {
    enabled = List.copyOf(enabled);
    disabled = List.copyOf(disabled);
  }

  /** Whether {@value #ALL} is disabled. */
  public boolean disablesAll() {
    return disabled.contains(ALL);
  }

  /** The names enabled, in order. */
  public List<String> enabledNames() {
    return enabled.stream().map(PluginRef::name).toList();
  }

  /**
   * {@code custom} applied over {@code base}, as upstream's {@code mergePluginSet}: base plugins
   * stay in their order unless custom disables them (or all); a base plugin that custom enables
   * again is replaced in place by custom's entry (its weight); custom's other plugins follow. The
   * disabled names of both are kept, so a disabled plugin also stays off for the expansion of
   * {@code multiPoint}.
   */
  public static PluginSet merge(PluginSet base, PluginSet custom) {
    if (custom == null || (custom.enabled.isEmpty() && custom.disabled.isEmpty())) {
      return base == null ? EMPTY : base;
    }
    if (base == null) {
      base = EMPTY;
    }
    Set<String> disabled = new HashSet<>(custom.disabled);
    Map<String, Integer> customIndex = new HashMap<>();
    for (int i = 0; i < custom.enabled.size(); i++) {
      customIndex.putIfAbsent(custom.enabled.get(i).name(), i);
    }
    Set<Integer> replaced = new HashSet<>();
    List<PluginRef> out = new ArrayList<>();
    if (!disabled.contains(ALL)) {
      for (PluginRef p : base.enabled) {
        if (disabled.contains(p.name())) {
          continue;
        }
        Integer i = customIndex.get(p.name());
        if (i != null) {
          out.add(custom.enabled.get(i));
          replaced.add(i);
        } else {
          out.add(p);
        }
      }
    }
    for (int i = 0; i < custom.enabled.size(); i++) {
      if (!replaced.contains(i)) {
        out.add(custom.enabled.get(i));
      }
    }
    Set<String> allDisabled = new LinkedHashSet<>(base.disabled);
    allDisabled.addAll(custom.disabled);
    return new PluginSet(out, new ArrayList<>(allDisabled));
  }
}

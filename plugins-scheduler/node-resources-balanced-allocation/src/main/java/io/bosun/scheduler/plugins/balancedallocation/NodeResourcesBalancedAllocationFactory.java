package io.bosun.scheduler.plugins.balancedallocation;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@link NodeResourcesBalancedAllocation}. Arguments, as upstream's
 * {@code NodeResourcesBalancedAllocationArgs}:
 *
 * <pre>{@code
 * resources:            # default cpu and memory
 * - {name: cpu, weight: 1}
 * - {name: memory, weight: 1}
 * }</pre>
 *
 * Weights must be 1 (unset means 1): the standard deviation has no weights.
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeResourcesBalancedAllocation.NAME)
public final class NodeResourcesBalancedAllocationFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    return new NodeResourcesBalancedAllocation(parseResources(args));
  }

  /** @throws IllegalArgumentException naming the invalid field */
  static List<String> parseResources(JsonNode args) {
    ArgsReader r = new ArgsReader(NodeResourcesBalancedAllocation.NAME);
    JsonNode root = r.object("", args, "resources");
    List<JsonNode> items = r.array(root, "", "resources");
    if (items.isEmpty()) {
      return List.of("cpu", "memory");
    }
    List<String> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      String path = "resources[" + i + "]";
      JsonNode item = r.object(path, items.get(i), "name", "weight");
      String name = r.string(item, path, "name", "");
      if (name.isEmpty()) {
        throw r.error(path + ".name", "Required value");
      }
      if (!seen.add(name)) {
        throw r.error(path + ".name", "Duplicate value: \"" + name + "\"");
      }
      long weight = r.integer(item, path, "weight", 1);
      if (weight != 1 && weight != 0) {
        throw r.error(path + ".weight", "must be 1");
      }
      out.add(name);
    }
    return out;
  }
}

package io.bosun.scheduler.plugins.defaultpreemption;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@link DefaultPreemption}. Arguments, as upstream's {@code DefaultPreemptionArgs}:
 *
 * <pre>{@code
 * minCandidateNodesPercentage: 10   # 0..100 of the nodes to dry-run at least
 * minCandidateNodesAbsolute: 100    # >= 0; not both 0
 * }</pre>
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + DefaultPreemption.NAME)
public final class DefaultPreemptionFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    ArgsReader r = new ArgsReader(DefaultPreemption.NAME);
    JsonNode root = r.object("", args, "minCandidateNodesPercentage", "minCandidateNodesAbsolute");
    long pct = r.integer(root, "", "minCandidateNodesPercentage", 10);
    long abs = r.integer(root, "", "minCandidateNodesAbsolute", 100);
    if (pct < 0 || pct > 100) {
      throw r.error("minCandidateNodesPercentage", "Invalid value: " + pct + ": not in valid range [0, 100]");
    }
    if (abs < 0 || abs > Integer.MAX_VALUE) {
      throw r.error("minCandidateNodesAbsolute", "Invalid value: " + abs + ": not in valid range [0, inf)");
    }
    if (pct == 0 && abs == 0) {
      throw r.error("", "numbers of minCandidateNodesPercentage and minCandidateNodesAbsolute cannot be both zero");
    }
    return new DefaultPreemption(handle, (int) pct, (int) abs);
  }
}

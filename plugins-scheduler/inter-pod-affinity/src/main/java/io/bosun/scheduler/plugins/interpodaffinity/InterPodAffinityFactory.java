package io.bosun.scheduler.plugins.interpodaffinity;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@link InterPodAffinity}. Arguments, as upstream's {@code InterPodAffinityArgs}:
 *
 * <pre>{@code
 * hardPodAffinityWeight: 1                  # 0..100: score weight of existing pods' required affinity
 * ignorePreferredTermsOfExistingPods: false # skip scoring for pods without preferred terms
 * }</pre>
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + InterPodAffinity.NAME)
public final class InterPodAffinityFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    ArgsReader r = new ArgsReader(InterPodAffinity.NAME);
    JsonNode root = r.object("", args, "hardPodAffinityWeight", "ignorePreferredTermsOfExistingPods");
    long weight = r.integer(root, "", "hardPodAffinityWeight", 1);
    if (weight < 0 || weight > 100) {
      throw r.error("hardPodAffinityWeight", "Invalid value: " + weight + ": not in valid range [0, 100]");
    }
    return new InterPodAffinity(weight, r.bool(root, "", "ignorePreferredTermsOfExistingPods", false), handle);
  }
}

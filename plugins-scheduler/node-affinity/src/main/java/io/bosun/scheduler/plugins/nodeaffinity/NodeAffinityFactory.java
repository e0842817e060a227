package io.bosun.scheduler.plugins.nodeaffinity;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.codec.DecodeException;
import io.bosun.api.codec.Decoded;
import io.bosun.scheduler.plugins.nodeaffinity.NodeSelectors.Selector;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@link NodeAffinity}. Arguments, as upstream's {@code NodeAffinityArgs}:
 *
 * <pre>{@code
 * addedAffinity:           # a core/v1 NodeAffinity applied to every pod of the profile
 *   requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [...]}
 *   preferredDuringSchedulingIgnoredDuringExecution: [{weight: 10, preference: {...}}]
 * }</pre>
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeAffinity.NAME)
public final class NodeAffinityFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    ArgsReader r = new ArgsReader(NodeAffinity.NAME);
    JsonNode root = r.object("", args, "addedAffinity");
    JsonNode added = ArgsReader.field(root, "addedAffinity");
    if (added == null) {
      return new NodeAffinity(null, null);
    }
    io.bosun.api.core.v1.NodeAffinity na;
    try {
      Decoded<io.bosun.api.core.v1.NodeAffinity> d = new ApiCodec().convert(added, io.bosun.api.core.v1.NodeAffinity.class);
      if (!d.unknownFields().isEmpty()) {
        throw r.error("addedAffinity", "unknown field \"" + d.unknownFields().get(0) + "\"");
      }
      na = d.value();
    } catch (DecodeException e) {
      throw r.error("addedAffinity", e.getMessage());
    }
    Selector required = null;
    if (na.getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      required = NodeSelectors.selector(na.getRequiredDuringSchedulingIgnoredDuringExecution());
      if (required.error() != null) {
        throw r.error("addedAffinity.requiredDuringSchedulingIgnoredDuringExecution", required.error());
      }
    }
    NodeAffinity.Preferred preferred = null;
    if (na.getPreferredDuringSchedulingIgnoredDuringExecution() != null
        && !na.getPreferredDuringSchedulingIgnoredDuringExecution().isEmpty()) {
      try {
        preferred = NodeAffinity.preferred(na.getPreferredDuringSchedulingIgnoredDuringExecution());
      } catch (IllegalArgumentException e) {
        throw r.error("addedAffinity.preferredDuringSchedulingIgnoredDuringExecution", e.getMessage());
      }
    }
    return new NodeAffinity(required, preferred);
  }
}

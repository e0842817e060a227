package io.bosun.scheduler.plugins.noderesourcesfit;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link NodeResourcesFit}; arguments as {@link NodeResourcesFitArgs}. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeResourcesFit.NAME)
public final class NodeResourcesFitFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    return new NodeResourcesFit(NodeResourcesFitArgs.parse(args));
  }
}

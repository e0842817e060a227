package io.bosun.scheduler.plugins.nodeports;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link NodePorts}. It takes no arguments. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodePorts.NAME)
public final class NodePortsFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    NoArgs.check(NodePorts.NAME, args);
    return new NodePorts();
  }
}

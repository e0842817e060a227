package io.bosun.scheduler.plugins.nodeunschedulable;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link NodeUnschedulable}. It takes no arguments. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeUnschedulable.NAME)
public final class NodeUnschedulableFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    NoArgs.check(NodeUnschedulable.NAME, args);
    return new NodeUnschedulable();
  }
}

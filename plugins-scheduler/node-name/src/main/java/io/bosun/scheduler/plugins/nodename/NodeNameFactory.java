package io.bosun.scheduler.plugins.nodename;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link NodeName}. It takes no arguments. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeName.NAME)
public final class NodeNameFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    NoArgs.check(NodeName.NAME, args);
    return new NodeName();
  }
}

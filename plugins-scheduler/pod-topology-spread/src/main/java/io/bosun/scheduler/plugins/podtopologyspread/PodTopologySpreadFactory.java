package io.bosun.scheduler.plugins.podtopologyspread;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link PodTopologySpread}; arguments as {@link PodTopologySpreadArgs}. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + PodTopologySpread.NAME)
public final class PodTopologySpreadFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    return new PodTopologySpread(PodTopologySpreadArgs.parse(args), handle);
  }
}

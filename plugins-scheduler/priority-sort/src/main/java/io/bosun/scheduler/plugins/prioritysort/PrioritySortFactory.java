package io.bosun.scheduler.plugins.prioritysort;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link PrioritySort}. It takes no arguments. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + PrioritySort.NAME)
public final class PrioritySortFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    NoArgs.check(PrioritySort.NAME, args);
    return new PrioritySort();
  }
}

package io.bosun.scheduler.plugins.defaultbinder;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/** Registers {@link DefaultBinder}. It takes no arguments. */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + DefaultBinder.NAME)
public final class DefaultBinderFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    NoArgs.check(DefaultBinder.NAME, args);
    return new DefaultBinder(handle);
  }
}

package com.example.bosun.tier;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Makes {@link NodeTier} available to the scheduler: a Declarative Services component providing
 * {@link PluginFactory} with the plugin's name as {@value PluginFactory#PLUGIN_NAME}. bnd writes the
 * component descriptor and the bundle's imports ({@code io.bosun.scheduler.spi [1.0,2)},
 * {@code io.bosun.api.*}, Jackson); the scheduler calls {@link #create} for each profile enabling
 * the plugin, with that profile's {@code pluginConfig} arguments.
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeTier.NAME)
public final class NodeTierFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    return new NodeTier(NodeTierArgs.parse(args)); // the handle is not needed: everything comes from NodeInfo
  }
}

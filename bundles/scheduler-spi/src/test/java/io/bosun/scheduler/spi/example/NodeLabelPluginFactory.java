package io.bosun.scheduler.spi.example;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.scheduler.spi.Handle;
import io.bosun.scheduler.spi.Plugin;
import io.bosun.scheduler.spi.PluginFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Registers {@link NodeLabelPlugin} with the scheduler. Arguments (all optional), from the
 * profile's {@code pluginConfig}:
 *
 * <pre>{@code
 * pluginConfig:
 * - name: ExampleNodeLabel
 *   args: {requiredLabel: example.com/ready, preferredLabel: example.com/tier, preferredValue: gold}
 * }</pre>
 *
 * In a real plugin bundle this class is all the wiring there is: bnd turns the annotation into the
 * Declarative Services descriptor, and the bundle imports only {@code io.bosun.scheduler.spi},
 * {@code io.bosun.api.*} and Jackson.
 */
@Component(service = PluginFactory.class, property = PluginFactory.PLUGIN_NAME + "=" + NodeLabelPlugin.NAME)
public final class NodeLabelPluginFactory implements PluginFactory {

  @Override
  public Plugin create(JsonNode args, Handle handle) {
    if (!args.isObject()) {
      throw new IllegalArgumentException("args must be an object");
    }
    String preferred = text(args, "preferredLabel");
    String value = text(args, "preferredValue");
    if (preferred != null && value == null) {
      throw new IllegalArgumentException("preferredValue is required with preferredLabel");
    }
    return new NodeLabelPlugin(text(args, "requiredLabel"), preferred, value);
  }

  private static String text(JsonNode args, String field) {
    JsonNode n = args.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    return n.asText();
  }
}

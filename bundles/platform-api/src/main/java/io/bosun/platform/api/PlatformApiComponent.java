package io.bosun.platform.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.apiserver.spi.RouteException;
import io.bosun.apiserver.spi.RouteHandler;
import io.bosun.apiserver.spi.RouteRequest;
import io.bosun.apiserver.spi.RouteResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's platform endpoints, under {@value #PREFIX}:
 * <ul>
 *   <li>{@code GET plugins}, {@code GET plugins/NAME}: the jars in the instance's {@code plugins/}
 *       folder with the state of the bundle FileInstall made of each;</li>
 *   <li>{@code POST plugins?name=NAME} (409 if it exists), {@code PUT plugins/NAME} (404 if it
 *       does not, unless {@code ?create=true}): upload a bundle jar as the body;</li>
 *   <li>{@code DELETE plugins/NAME}: remove it (FileInstall uninstalls the bundle);</li>
 *   <li>{@code GET bundles}: every bundle and every DS component with its state.</li>
 * </ul>
 * FileInstall does the installing, so an upload behaves exactly like dropping the file by hand.
 */
@Component(service = RouteHandler.class, property = RouteHandler.PATH_PREFIX + "=" + PlatformApiComponent.PREFIX)
public final class PlatformApiComponent implements RouteHandler {

  static final String PREFIX = "/apis/platform.bosun.io/v1alpha1/";
  static final String API_VERSION = "platform.bosun.io/v1alpha1";
  /** The largest plugin jar accepted. */
  static final long MAX_PLUGIN_BYTES = 256L * 1024 * 1024;
  private static final Logger LOG = LoggerFactory.getLogger(PlatformApiComponent.class);
  private static final String[] BUNDLE_STATES = {"UNINSTALLED", "INSTALLED", "RESOLVED", "STARTING", "STOPPING",
      "ACTIVE"};

  private final BundleContext context;
  private final ServiceComponentRuntime scr;
  private final PluginStore plugins;
  private final ObjectMapper json = new ObjectMapper();

  @Activate
  public PlatformApiComponent(BundleContext context, @Reference ServiceComponentRuntime scr) {
    this.context = context;
    this.scr = scr;
    String instance = context.getProperty("bosun.instance");
    if (instance == null || instance.isBlank()) {
      // Fail fast: without an instance there is no plugins/ folder FileInstall watches.
      throw new IllegalStateException("framework property bosun.instance is not set");
    }
    plugins = new PluginStore(Path.of(instance, "plugins"), MAX_PLUGIN_BYTES);
  }

  @Override
  public RouteResponse handle(RouteRequest request) throws IOException {
    String rest = request.path().length() >= PREFIX.length() ? request.path().substring(PREFIX.length()) : "";
    String[] parts = rest.isEmpty() ? new String[0] : rest.split("/");
    String method = request.method();
    try {
      if (parts.length == 0) {
        requireMethod(method, "GET");
        return ok(resourceList());
      }
      if (parts[0].equals("bundles") && parts.length == 1) {
        requireMethod(method, "GET");
        return ok(bundles());
      }
      if (parts[0].equals("plugins") && parts.length == 1) {
        return switch (method) {
          case "GET" -> ok(pluginList());
          case "POST" -> upload(PluginStore.normalize(request.param("name")), request.body(), true, false);
          default -> throw notAllowed(method);
        };
      }
      if (parts[0].equals("plugins") && parts.length == 2) {
        String name = PluginStore.normalize(parts[1]);
        return switch (method) {
          case "GET" -> ok(plugin(plugins.get(name).orElseThrow(() -> notFound(name))));
          case "PUT" -> upload(name, request.body(), false, "true".equals(request.param("create")));
          case "DELETE" -> delete(name);
          default -> throw notAllowed(method);
        };
      }
      throw new RouteException(404, "NotFound", "the server could not find the requested resource");
    } catch (PluginStore.Refused e) {
      throw new RouteException(e.code, e.reason, e.getMessage());
    }
  }

  private RouteResponse upload(String name, InputStream body, boolean create, boolean createIfMissing)
      throws IOException, PluginStore.Refused {
    byte[] jar;
    try (InputStream in = body) {
      jar = plugins.readBundle(in);
    }
    Optional<PluginStore.Plugin> existing = plugins.get(name);
    if (create && existing.isPresent()) {
      throw new RouteException(409, "AlreadyExists", "plugins \"" + name + "\" already exists: use update to replace it");
    }
    if (!create && !createIfMissing && existing.isEmpty()) {
      throw notFound(name);
    }
    String bsn = PluginStore.symbolicName(jar);
    for (Bundle b : context.getBundles()) {
      if (bsn.equals(b.getSymbolicName()) && !isPlugin(b, name)) {
        // Same name as a system bundle or another plugin: two copies would fight over the same packages.
        throw new RouteException(409, "Conflict", "bundle " + bsn + " is already installed from " + b.getLocation()
            + ": a plugin must have its own Bundle-SymbolicName");
      }
    }
    PluginStore.Plugin p = plugins.write(name, jar);
    LOG.info("Plugin {} ({} {}) {} over the API", name, p.symbolicName(), p.version(),
        existing.isPresent() ? "replaced" : "uploaded");
    return RouteResponse.json(existing.isPresent() ? 200 : 201, json.writeValueAsBytes(plugin(p)));
  }

  private RouteResponse delete(String name) throws IOException {
    PluginStore.Plugin p = plugins.get(name).orElseThrow(() -> notFound(name));
    ObjectNode body = plugin(p);
    plugins.delete(name);
    LOG.info("Plugin {} deleted over the API", name);
    return ok(body);
  }

  /** Whether {@code b} is the bundle FileInstall made of plugin {@code name}. */
  private boolean isPlugin(Bundle b, String name) {
    return (name + ".jar").equals(pluginFile(b));
  }

  /** The file name in plugins/ that {@code b} was installed from (FileInstall: a file: URI), or null. */
  private String pluginFile(Bundle b) {
    String location = b.getLocation();
    if (location == null || !location.startsWith("file:")) {
      return null;
    }
    try {
      Path file = Path.of(java.net.URI.create(location)).toAbsolutePath().normalize();
      return plugins.dir().toAbsolutePath().normalize().equals(file.getParent()) ? file.getFileName().toString() : null;
    } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
      return null;
    }
  }

  private ObjectNode resourceList() {
    ObjectNode list = json.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", API_VERSION);
    ArrayNode resources = list.putArray("resources");
    resources.addObject().put("name", "plugins").put("kind", "Plugin").put("namespaced", false)
        .putArray("verbs").add("get").add("list").add("create").add("update").add("delete");
    resources.addObject().put("name", "bundles").put("kind", "Bundle").put("namespaced", false)
        .putArray("verbs").add("list");
    return list;
  }

  private ObjectNode pluginList() throws IOException {
    ObjectNode list = json.createObjectNode().put("kind", "PluginList").put("apiVersion", API_VERSION);
    list.putObject("metadata").put("directory", plugins.dir().toString());
    ArrayNode items = list.putArray("items");
    for (PluginStore.Plugin p : plugins.list()) {
      items.add(plugin(p));
    }
    return list;
  }

  private ObjectNode plugin(PluginStore.Plugin p) {
    ObjectNode o = json.createObjectNode().put("kind", "Plugin").put("apiVersion", API_VERSION)
        .put("name", p.name()).put("file", p.file().toString()).put("size", p.size()).put("sha256", p.sha256())
        .put("modified", Instant.ofEpochMilli(p.modifiedMillis()).toString())
        .put("symbolicName", p.symbolicName()).put("version", p.version());
    for (Bundle b : context.getBundles()) {
      if (isPlugin(b, p.name())) {
        o.putObject("bundle").put("id", b.getBundleId()).put("symbolicName", b.getSymbolicName())
            .put("version", b.getVersion().toString()).put("state", state(b.getState()))
            .put("lastModified", Instant.ofEpochMilli(b.getLastModified()).toString());
      }
    }
    return o;
  }

  private ObjectNode bundles() {
    Map<Long, ArrayNode> componentsByBundle = new HashMap<>();
    ObjectNode list = json.createObjectNode().put("kind", "BundleList").put("apiVersion", API_VERSION);
    ArrayNode items = list.putArray("items");
    Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs();
    for (ComponentDescriptionDTO d : descriptions) {
      ObjectNode c = json.createObjectNode().put("name", d.name).put("enabled", scr.isComponentEnabled(d));
      Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
      String state = !scr.isComponentEnabled(d) ? "DISABLED" : configs.isEmpty() ? "UNSATISFIED_CONFIGURATION"
          : configs.stream().map(cc -> componentState(cc.state)).min(Comparator.comparing(PlatformApiComponent::rank))
              .orElseThrow();
      c.put("state", state);
      ArrayNode unsatisfied = c.putArray("unsatisfiedReferences");
      for (ComponentConfigurationDTO cc : configs) {
        for (UnsatisfiedReferenceDTO u : cc.unsatisfiedReferences) {
          unsatisfied.add(u.name + (u.target == null ? "" : " " + u.target));
        }
        if (cc.failure != null && !cc.failure.isBlank()) {
          c.put("failure", cc.failure.lines().findFirst().orElse(cc.failure));
        }
      }
      componentsByBundle.computeIfAbsent(d.bundle.id, k -> json.createArrayNode()).add(c);
    }
    for (Bundle b : context.getBundles()) {
      ObjectNode o = items.addObject().put("id", b.getBundleId()).put("symbolicName", b.getSymbolicName())
          .put("version", b.getVersion().toString()).put("state", state(b.getState())).put("location", b.getLocation());
      o.put("plugin", pluginFile(b) != null);
      o.set("components", componentsByBundle.getOrDefault(b.getBundleId(), json.createArrayNode()));
    }
    return list;
  }

  /** Worst first, so a component shows its most telling configuration. */
  private static int rank(String state) {
    return List.of("FAILED_ACTIVATION", "UNSATISFIED_CONFIGURATION", "UNSATISFIED_REFERENCE", "SATISFIED", "ACTIVE")
        .indexOf(state);
  }

  private static String componentState(int state) {
    return switch (state) {
      case ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION -> "UNSATISFIED_CONFIGURATION";
      case ComponentConfigurationDTO.UNSATISFIED_REFERENCE -> "UNSATISFIED_REFERENCE";
      case ComponentConfigurationDTO.SATISFIED -> "SATISFIED";
      case ComponentConfigurationDTO.ACTIVE -> "ACTIVE";
      case ComponentConfigurationDTO.FAILED_ACTIVATION -> "FAILED_ACTIVATION";
      default -> "UNKNOWN";
    };
  }

  private static String state(int state) {
    int bit = Integer.numberOfTrailingZeros(state);
    return bit < BUNDLE_STATES.length ? BUNDLE_STATES[bit] : "UNKNOWN";
  }

  private RouteResponse ok(ObjectNode body) throws IOException {
    return RouteResponse.json(200, json.writeValueAsBytes(body));
  }

  private static RouteException notFound(String name) {
    return new RouteException(404, "NotFound", "plugins \"" + name + "\" not found");
  }

  private static RouteException notAllowed(String method) {
    return new RouteException(405, "MethodNotAllowed", "the server does not allow this method on the requested resource: "
        + method);
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw notAllowed(method);
    }
  }
}

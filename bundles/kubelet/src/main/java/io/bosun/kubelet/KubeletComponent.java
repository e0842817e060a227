package io.bosun.kubelet;

import io.bosun.api.core.v1.Taint;
import io.bosun.api.values.Quantity;
import io.bosun.client.ApiClient;
import io.bosun.runtime.spi.ContainerRuntime;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * Runs the {@link Kubelet} in OSGi. Runtimes ({@link ContainerRuntime} services with a
 * {@value ContainerRuntime#RUNTIME_NAME} property) come and go dynamically; a configuration or
 * API client change restarts the kubelet, which re-adopts running containers (deactivation never
 * stops them).
 *
 * <p>Framework properties it reads: {@code bosun.name} (node name), {@code bosun.node.runtime}
 * (default runtime), {@code bosun.data} (where its folders go), {@code bosun.runtime}
 * ({@code all-in-one} labels the node with the control-plane role).
 */
@Component(configurationPid = "io.bosun.kubelet", configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
@Designate(ocd = KubeletConfiguration.class)
public final class KubeletComponent {

  // Runtimes may be bound before activation: the registry exists from construction on.
  private final Runtimes runtimes = new Runtimes(Map.of());

  @Reference
  private ApiClient client;

  private Kubelet kubelet;

  @Activate
  void activate(KubeletConfiguration cfg, BundleContext context) {
    KubeletConfig config = config(cfg, context::getProperty);
    runtimes.setExtraHandlers(config.runtimeHandlers());
    kubelet = new Kubelet(config, client.config(), runtimes, Clock.systemUTC());
    try {
      kubelet.start();
    } catch (RuntimeException e) {
      kubelet.close();
      throw e;
    }
  }

  @Deactivate
  void deactivate() {
    kubelet.close();
  }

  @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
      policyOption = ReferencePolicyOption.GREEDY)
  void addRuntime(ContainerRuntime runtime, Map<String, Object> props) {
    Object name = props.get(ContainerRuntime.RUNTIME_NAME);
    if (name != null) {
      runtimes.add(name.toString(), runtime, strings(props.get(ContainerRuntime.HANDLERS)));
    }
  }

  void removeRuntime(ContainerRuntime runtime, Map<String, Object> props) {
    Object name = props.get(ContainerRuntime.RUNTIME_NAME);
    if (name != null) {
      runtimes.remove(name.toString(), runtime);
    }
  }

  interface Properties {
    String get(String key);
  }

  /** The kubelet's configuration from the component's and the framework's properties. */
  static KubeletConfig config(KubeletConfiguration cfg, Properties framework) {
    String nodeName = first(cfg.nodeName(), framework.get("bosun.name"), new MachineInfo().hostname());
    String data = framework.get("bosun.data");
    Path rootDir = Path.of(first(cfg.rootDir(), data == null || data.isBlank() ? null : Path.of(data, "kubelet")
        .toString(), Path.of(System.getProperty("java.io.tmpdir"), "bosun-kubelet").toString()));
    String role = cfg.controlPlaneRole();
    boolean controlPlane = role == null || role.isBlank() ? "all-in-one".equals(framework.get("bosun.runtime"))
        : Boolean.parseBoolean(role.trim());
    KubeletConfig.Builder b = KubeletConfig.builder(nodeName, rootDir)
        .runtime(first(cfg.runtime(), framework.get("bosun.node.runtime"), "process"))
        .runtimeHandlers(pairs(cfg.runtimeHandlers()))
        .address(cfg.address())
        .port(cfg.port())
        .nodeIP(cfg.nodeIP())
        .nodeLabels(pairs(cfg.nodeLabels()))
        .registerWithTaints(taints(cfg.registerWithTaints()))
        .controlPlaneRole(controlPlane)
        .maxPods(cfg.maxPods())
        .nodeStatusUpdateFrequency(Duration.ofSeconds(Math.max(1, cfg.nodeStatusUpdateFrequencySeconds())))
        .nodeLeaseDuration(Duration.ofSeconds(Math.max(4, cfg.nodeLeaseDurationSeconds())))
        .syncFrequency(Duration.ofSeconds(Math.max(1, cfg.syncFrequencySeconds())))
        .crashLoopBackOff(Duration.ofSeconds(Math.max(1, cfg.crashLoopBackOffInitialSeconds())),
            Duration.ofSeconds(Math.max(1, cfg.crashLoopBackOffMaxSeconds())))
        .containerLogMaxSize(Quantity.parse(cfg.containerLogMaxSize()).longValue())
        .containerLogMaxFiles(cfg.containerLogMaxFiles())
        .evictionHard(KubeletConfig.EvictionThreshold.parseList(cfg.evictionHard()))
        .evictionPressureTransitionPeriod(Duration.ofSeconds(Math.max(0, cfg.evictionPressureTransitionPeriodSeconds())))
        .runtimeDownGracePeriod(Duration.ofSeconds(Math.max(0, cfg.runtimeDownGracePeriodSeconds())));
    if (!cfg.podLogsDir().isBlank()) {
      b.podLogsDir(Path.of(cfg.podLogsDir()));
    }
    if (!cfg.staticPodPath().isBlank()) {
      b.staticPodPath(Path.of(cfg.staticPodPath()));
    }
    return b.build();
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return "";
  }

  /** {@code a=b,c=d}; an entry without '=' maps to "". */
  static Map<String, String> pairs(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    if (text == null) {
      return out;
    }
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      out.put(eq < 0 ? p : p.substring(0, eq).trim(), eq < 0 ? "" : p.substring(eq + 1).trim());
    }
    return out;
  }

  /** {@code key=value:Effect} or {@code key:Effect} entries, as upstream's --register-with-taints. */
  static List<Taint> taints(String text) {
    List<Taint> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String part : text.split(",")) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      int colon = p.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("taint must be key[=value]:Effect: " + p);
      }
      String effect = p.substring(colon + 1);
      if (!List.of("NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
        throw new IllegalArgumentException("taint effect must be NoSchedule, PreferNoSchedule or NoExecute: " + p);
      }
      String kv = p.substring(0, colon);
      int eq = kv.indexOf('=');
      out.add(new Taint().withKey(eq < 0 ? kv : kv.substring(0, eq)).withValue(eq < 0 ? null : kv.substring(eq + 1))
          .withEffect(effect));
    }
    return out;
  }

  private static List<String> strings(Object v) {
    if (v == null) {
      return List.of();
    }
    if (v instanceof String[] a) {
      return Arrays.asList(a);
    }
    if (v instanceof java.util.Collection<?> c) {
      return c.stream().map(Object::toString).toList();
    }
    return List.of(v.toString());
  }
}

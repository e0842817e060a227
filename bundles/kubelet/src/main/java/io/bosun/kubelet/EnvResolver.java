package io.bosun.kubelet;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.ConfigMapKeySelector;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.EnvFromSource;
import io.bosun.api.core.v1.EnvVar;
import io.bosun.api.core.v1.EnvVarSource;
import io.bosun.api.core.v1.ObjectFieldSelector;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.ResourceFieldSelector;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.core.v1.SecretKeySelector;
import io.bosun.api.values.Quantity;
import io.bosun.runtime.spi.KeyValue;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A container's environment as upstream's kubelet makes it ({@code makeEnvironmentVariables}):
 * {@code envFrom} sources in order, then {@code env} entries in order, each value expanded
 * against the variables defined before it; values from the pod's fields
 * ({@code fieldRef}), its resources ({@code resourceFieldRef}) and ConfigMap and Secret keys.
 * Also expands {@code command} and {@code args} against the result.
 */
final class EnvResolver {

  private final ObjectLookup lookup;

  EnvResolver(ObjectLookup lookup) {
    this.lookup = lookup;
  }

  /**
   * What the container's environment needs to know about where it runs.
   *
   * @param podIPs      the pod's IPs (first = podIP)
   * @param hostIPs     the node's IPs (first = hostIP)
   * @param allocatable the node's allocatable resources, for resourceFieldRef without a limit
   */
  record Context(List<String> podIPs, List<String> hostIPs, Map<String, Quantity> allocatable) {}

  /**
   * The container's variables, in definition order.
   *
   * @throws ConfigException with upstream's message when a referenced object or key is missing and not optional
   */
  List<KeyValue> resolve(Pod pod, Container c, Context ctx) throws ConfigException {
    String ns = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    if (c.getEnvFrom() != null) {
      for (EnvFromSource from : c.getEnvFrom()) {
        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
        if (from.getConfigMapRef() != null) {
          String name = from.getConfigMapRef().getName();
          Optional<ConfigMap> cm = lookup.configMap(ns, name);
          if (cm.isEmpty()) {
            if (Boolean.TRUE.equals(from.getConfigMapRef().getOptional())) {
              continue;
            }
            throw new ConfigException("configmap \"" + name + "\" not found");
          }
          if (cm.get().getData() != null) {
            cm.get().getData().forEach((k, v) -> putValid(env, prefix + k, v));
          }
        } else if (from.getSecretRef() != null) {
          String name = from.getSecretRef().getName();
          Optional<Secret> s = lookup.secret(ns, name);
          if (s.isEmpty()) {
            if (Boolean.TRUE.equals(from.getSecretRef().getOptional())) {
              continue;
            }
            throw new ConfigException("secret \"" + name + "\" not found");
          }
          if (s.get().getData() != null) {
            s.get().getData().forEach((k, v) -> putValid(env, prefix + k, decode(v)));
          }
        }
      }
    }
    if (c.getEnv() != null) {
      for (EnvVar v : c.getEnv()) {
        String value;
        if (v.getValue() != null && !v.getValue().isEmpty()) {
          value = Expansion.expand(v.getValue(), env::get);
        } else if (v.getValueFrom() != null) {
          value = valueFrom(pod, c, v.getValueFrom(), ctx);
          if (value == null) {
            continue; // an optional reference that is absent
          }
        } else {
          value = "";
        }
        env.put(v.getName(), value);
      }
    }
    List<KeyValue> out = new ArrayList<>(env.size());
    env.forEach((k, v) -> out.add(new KeyValue(k, v)));
    return out;
  }

  /** {@code command} and {@code args} with {@code $(VAR)} expanded against {@code env}. */
  static List<String> expandAll(List<String> items, List<KeyValue> env) {
    if (items == null) {
      return List.of();
    }
    Map<String, String> m = new LinkedHashMap<>();
    env.forEach(kv -> m.put(kv.key(), kv.value()));
    return items.stream().map(s -> Expansion.expand(s, m::get)).toList();
  }

  private String valueFrom(Pod pod, Container c, EnvVarSource src, Context ctx) throws ConfigException {
    String ns = pod.getMetadata().getNamespace();
    if (src.getFieldRef() != null) {
      return fieldValue(pod, src.getFieldRef(), ctx);
    }
    if (src.getResourceFieldRef() != null) {
      return resourceValue(pod, c, src.getResourceFieldRef(), ctx.allocatable());
    }
    if (src.getConfigMapKeyRef() != null) {
      ConfigMapKeySelector ref = src.getConfigMapKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<ConfigMap> cm = lookup.configMap(ns, ref.getName());
      if (cm.isEmpty()) {
        if (optional) {
          return null;
        }
        throw new ConfigException("configmap \"" + ref.getName() + "\" not found");
      }
      String value = cm.get().getData() == null ? null : cm.get().getData().get(ref.getKey());
      if (value == null && cm.get().getBinaryData() != null && cm.get().getBinaryData().containsKey(ref.getKey())) {
        value = decode(cm.get().getBinaryData().get(ref.getKey()));
      }
      if (value == null) {
        if (optional) {
          return null;
        }
        throw new ConfigException("couldn't find key " + ref.getKey() + " in ConfigMap " + ns + "/" + ref.getName());
      }
      return value;
    }
    if (src.getSecretKeyRef() != null) {
      SecretKeySelector ref = src.getSecretKeyRef();
      boolean optional = Boolean.TRUE.equals(ref.getOptional());
      Optional<Secret> s = lookup.secret(ns, ref.getName());
      if (s.isEmpty()) {
        if (optional) {
          return null;
        }
        throw new ConfigException("secret \"" + ref.getName() + "\" not found");
      }
      String value = s.get().getData() == null ? null : s.get().getData().get(ref.getKey());
      if (value == null) {
        if (optional) {
          return null;
        }
        throw new ConfigException("couldn't find key " + ref.getKey() + " in Secret " + ns + "/" + ref.getName());
      }
      return decode(value);
    }
    return "";
  }

  /** The value of a downward-API field path ({@code metadata.name}, {@code status.podIP} ...). */
  static String fieldValue(Pod pod, ObjectFieldSelector ref, Context ctx) throws ConfigException {
    String path = ref.getFieldPath();
    var meta = pod.getMetadata();
    switch (path) {
      case "metadata.name":
        return meta.getName();
      case "metadata.namespace":
        return meta.getNamespace();
      case "metadata.uid":
        return meta.getUid();
      case "metadata.labels":
        return formatMap(meta.getLabels());
      case "metadata.annotations":
        return formatMap(meta.getAnnotations());
      case "spec.nodeName":
        return pod.getSpec().getNodeName();
      case "spec.serviceAccountName":
        return pod.getSpec().getServiceAccountName() == null ? "" : pod.getSpec().getServiceAccountName();
      case "status.hostIP":
        return ctx.hostIPs().isEmpty() ? "" : ctx.hostIPs().get(0);
      case "status.hostIPs":
        return String.join(",", ctx.hostIPs());
      case "status.podIP":
        return ctx.podIPs().isEmpty() ? "" : ctx.podIPs().get(0);
      case "status.podIPs":
        return String.join(",", ctx.podIPs());
      default:
        break;
    }
    for (String kind : List.of("labels", "annotations")) {
      String prefix = "metadata." + kind + "['";
      if (path.startsWith(prefix) && path.endsWith("']")) {
        String key = path.substring(prefix.length(), path.length() - 2);
        Map<String, String> m = kind.equals("labels") ? meta.getLabels() : meta.getAnnotations();
        String v = m == null ? null : m.get(key);
        return v == null ? "" : v;
      }
    }
    throw new ConfigException("unsupported fieldPath: " + path);
  }

  /** Upstream's {@code fieldpath.FormatMap}: sorted {@code key="value"} lines. */
  static String formatMap(Map<String, String> m) {
    if (m == null || m.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(m).entrySet()) {
      if (b.length() > 0) {
        b.append('\n');
      }
      b.append(e.getKey()).append('=').append(goQuote(e.getValue()));
    }
    return b.toString();
  }

  private static String goQuote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\r' -> b.append("\\r");
        default -> {
          if (ch < 0x20) {
            b.append(String.format("\\x%02x", (int) ch));
          } else {
            b.append(ch);
          }
        }
      }
    }
    return b.append('"').toString();
  }

  /**
   * A {@code resourceFieldRef} value as upstream computes it: the container's limit (the node's
   * allocatable when unset) or request, divided by the divisor and rounded up.
   */
  static String resourceValue(Pod pod, Container self, ResourceFieldSelector ref, Map<String, Quantity> allocatable)
      throws ConfigException {
    Container c = self;
    if (ref.getContainerName() != null && !ref.getContainerName().isEmpty()) {
      c = findContainer(pod, ref.getContainerName());
      if (c == null) {
        throw new ConfigException("container " + ref.getContainerName() + " not found in pod for resourceFieldRef");
      }
    }
    String resource = ref.getResource();
    int dot = resource.indexOf('.');
    if (dot < 0) {
      throw new ConfigException("unsupported container resource: " + resource);
    }
    String kind = resource.substring(0, dot);
    String name = resource.substring(dot + 1);
    Map<String, Quantity> source = c.getResources() == null ? null
        : kind.equals("limits") ? c.getResources().getLimits() : c.getResources().getRequests();
    Quantity q = source == null ? null : source.get(name);
    if (q == null && kind.equals("limits")) {
      q = allocatable.get(name);
    }
    if (q == null) {
      q = Quantity.parse("0");
    }
    Quantity divisor = ref.getDivisor() == null ? Quantity.parse("1") : ref.getDivisor();
    if (name.equals("cpu")) {
      long div = Math.max(1, divisor.milliValue());
      return Long.toString(BigDecimal.valueOf(q.milliValue()).divide(BigDecimal.valueOf(div), 0, RoundingMode.CEILING)
          .longValueExact());
    }
    BigDecimal div = divisor.value().signum() == 0 ? BigDecimal.ONE : divisor.value();
    return q.value().divide(div, 0, RoundingMode.CEILING).toPlainString();
  }

  static Container findContainer(Pod pod, String name) {
    for (List<Container> list : java.util.Arrays.asList(pod.getSpec().getContainers(), pod.getSpec().getInitContainers())) {
      if (list != null) {
        for (Container c : list) {
          if (name.equals(c.getName())) {
            return c;
          }
        }
      }
    }
    return null;
  }

  private static void putValid(Map<String, String> env, String key, String value) {
    // Upstream drops keys that are not valid variable names (and reports them in an event).
    if (!key.isEmpty() && !key.contains("=") && key.chars().allMatch(ch -> ch >= 0x20 && ch < 0x7f)) {
      env.put(key, value);
    }
  }

  static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }
}

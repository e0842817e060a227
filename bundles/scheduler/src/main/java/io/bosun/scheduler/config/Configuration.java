package io.bosun.scheduler.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Combines the configuration sources into the effective profiles.
 *
 * <p><b>Precedence.</b> Profiles: the {@code profiles} of the REST ConfigMap when it has a
 * non-blank one, else the ConfigAdmin {@code profiles}, else the built-in single profile
 * {@code default-scheduler} on policy {@code default}. Policies are merged by name, later sources
 * replacing earlier ones: built-in ({@code default}, {@code spread}, {@code binpack}), then
 * ConfigAdmin {@code policies}, then the ConfigMap's {@code policies}. A profile names its base
 * policy with {@code policy} (default {@code default}); its own {@code plugins} and
 * {@code pluginConfig} apply over the policy's as upstream applies a profile over the default
 * plugins (plugin sets merged per extension point, arguments replaced per plugin).
 */
public final class Configuration {

  /** The scheduler name of pods that name none. */
  public static final String DEFAULT_SCHEDULER = "default-scheduler";
  /** The policy a profile without {@code policy} is based on. */
  public static final String DEFAULT_POLICY = "default";

  /** The raw texts of every source; null or blank for an absent one. */
  public record Sources(String configAdminProfiles, String configAdminPolicies, String configMapProfiles,
      String configMapPolicies) {
  }

  /**
   * The effective configuration.
   *
   * @param profiles       resolved profiles in order
   * @param policies       every known policy by name
   * @param profilesSource where the profiles came from ({@code configmap}, {@code configadmin},
   *                       {@code built-in})
   */
  public record Effective(List<ResolvedProfile> profiles, Map<String, ProfileSpec> policies, String profilesSource) {
  }

  private static final String BUILT_IN_TEXT = load();
  private static final Map<String, ProfileSpec> BUILT_IN;

  static {
    try {
      BUILT_IN = ConfigParser.policies(BUILT_IN_TEXT, "built-in policies");
    } catch (ConfigException e) {
      throw new IllegalStateException(e);
    }
  }

  private Configuration() {
  }

  /** The built-in policies, by name. */
  public static Map<String, ProfileSpec> builtInPolicies() {
    return BUILT_IN;
  }

  /** The text of the built-in policies (YAML). */
  public static String builtInPoliciesText() {
    return BUILT_IN_TEXT;
  }

  /**
   * Combines {@code sources}.
   *
   * @throws ConfigException if a source cannot be parsed or the profiles do not resolve; the
   *                         caller keeps its previous effective configuration
   */
  public static Effective resolve(Sources sources) throws ConfigException {
    Map<String, ProfileSpec> policies = new LinkedHashMap<>(BUILT_IN);
    putAll(policies, ConfigParser.policies(sources.configAdminPolicies(), "ConfigAdmin policies"));
    putAll(policies, ConfigParser.embeddedPolicies(sources.configAdminProfiles(), "ConfigAdmin profiles"));
    putAll(policies, ConfigParser.policies(sources.configMapPolicies(), "ConfigMap policies"));
    putAll(policies, ConfigParser.embeddedPolicies(sources.configMapProfiles(), "ConfigMap profiles"));

    List<ProfileSpec> profiles = ConfigParser.profiles(sources.configMapProfiles(), "ConfigMap profiles");
    String source = "configmap";
    if (profiles == null) {
      profiles = ConfigParser.profiles(sources.configAdminProfiles(), "ConfigAdmin profiles");
      source = "configadmin";
    }
    if (profiles == null) {
      profiles = List.of(new ProfileSpec(DEFAULT_SCHEDULER, DEFAULT_POLICY, null, Map.of(), Map.of()));
      source = "built-in";
    }
    return new Effective(resolveProfiles(profiles, policies, source), Map.copyOf(policies), source);
  }

  /** Resolves {@code profiles} against {@code policies}. */
  public static List<ResolvedProfile> resolveProfiles(List<ProfileSpec> profiles, Map<String, ProfileSpec> policies,
      String source) throws ConfigException {
    if (profiles.isEmpty()) {
      throw new ConfigException(source + " profiles: at least one profile is required");
    }
    Set<String> names = new HashSet<>();
    List<ResolvedProfile> out = new ArrayList<>();
    for (ProfileSpec p : profiles) {
      if (!names.add(p.schedulerName())) {
        throw new ConfigException(source + " profiles: duplicate schedulerName " + p.schedulerName());
      }
      out.add(resolve(p, policies));
    }
    return List.copyOf(out);
  }

  /** Applies {@code profile} over its policy chain. */
  public static ResolvedProfile resolve(ProfileSpec profile, Map<String, ProfileSpec> policies) throws ConfigException {
    String base = profile.policy() == null ? DEFAULT_POLICY : profile.policy();
    Layer layer = policy(base, policies, new LinkedHashSet<>(), "profile " + profile.schedulerName());
    Layer merged = layer.apply(profile);
    return new ResolvedProfile(profile.schedulerName(), base, merged.percentage, Map.copyOf(merged.plugins),
        java.util.Collections.unmodifiableMap(merged.args));
  }

  private static Layer policy(String name, Map<String, ProfileSpec> policies, Set<String> visiting, String who)
      throws ConfigException {
    ProfileSpec spec = policies.get(name);
    if (spec == null) {
      throw new ConfigException(who + ": policy " + name + " is not defined (known: " + String.join(", ", policies.keySet()) + ")");
    }
    if (!visiting.add(name)) {
      throw new ConfigException(who + ": policies form a cycle: " + String.join(" -> ", visiting) + " -> " + name);
    }
    Layer base = spec.policy() == null ? new Layer() : policy(spec.policy(), policies, visiting, who);
    return base.apply(spec);
  }

  private static void putAll(Map<String, ProfileSpec> into, Map<String, ProfileSpec> from) {
    if (from != null) {
      into.putAll(from);
    }
  }

  private static final class Layer {
    final Map<String, PluginSet> plugins = new LinkedHashMap<>();
    final Map<String, JsonNode> args = new LinkedHashMap<>();
    Integer percentage;

    Layer apply(ProfileSpec spec) {
      Layer out = new Layer();
      Set<String> keys = new LinkedHashSet<>(plugins.keySet());
      keys.addAll(spec.plugins().keySet());
      for (String k : keys) {
        out.plugins.put(k, PluginSet.merge(plugins.get(k), spec.plugins().get(k)));
      }
      out.args.putAll(args);
      out.args.putAll(spec.pluginConfig());
      out.percentage = spec.percentageOfNodesToScore() != null ? spec.percentageOfNodesToScore() : percentage;
      return out;
    }
  }

  private static String load() {
    try (InputStream in = Configuration.class.getResourceAsStream("policies.yaml")) {
      if (in == null) {
        throw new IllegalStateException("policies.yaml missing from the bundle");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

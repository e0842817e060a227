package io.bosun.scheduler.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class ConfigurationTest {

  private static Configuration.Effective resolve(String caProfiles, String caPolicies, String cmProfiles,
      String cmPolicies) throws ConfigException {
    return Configuration.resolve(new Configuration.Sources(caProfiles, caPolicies, cmProfiles, cmPolicies));
  }

  @Test
  void builtInDefaultIsUpstreamsPluginSet() throws Exception {
    Configuration.Effective e = resolve(null, null, null, null);
    assertThat(e.profilesSource()).isEqualTo("built-in");
    assertThat(e.profiles()).hasSize(1);
    ResolvedProfile p = e.profiles().get(0);
    assertThat(p.schedulerName()).isEqualTo("default-scheduler");
    assertThat(p.policy()).isEqualTo("default");
    assertThat(p.pluginSet("multiPoint").enabledNames()).containsExactly("SchedulingGates", "PrioritySort",
        "NodeUnschedulable", "NodeName", "TaintToleration", "NodeAffinity", "NodePorts", "NodeResourcesFit",
        "PodTopologySpread", "InterPodAffinity", "DefaultPreemption", "NodeResourcesBalancedAllocation",
        "ImageLocality", "DefaultBinder");
    assertThat(p.pluginSet("multiPoint").enabled()).filteredOn(r -> r.weight() != 0)
        .extracting(r -> r.name() + "=" + r.weight())
        .containsExactly("TaintToleration=3", "NodeAffinity=2", "NodeResourcesFit=1", "PodTopologySpread=2",
            "InterPodAffinity=2", "NodeResourcesBalancedAllocation=1", "ImageLocality=1");
    assertThat(p.args("NodeResourcesFit").path("scoringStrategy").path("type").asText()).isEqualTo("LeastAllocated");
    assertThat(Configuration.builtInPolicies()).containsKeys("default", "spread", "binpack");
  }

  @Test
  void binpackAndSpreadApplyOverDefault() throws Exception {
    Configuration.Effective e = resolve("""
        - schedulerName: default-scheduler
          policy: binpack
        - schedulerName: spreader
          policy: spread
        """, null, null, null);
    ResolvedProfile binpack = e.profiles().get(0);
    assertThat(binpack.pluginSet("score").enabled()).containsExactly(new PluginRef("NodeResourcesFit", 5));
    assertThat(binpack.pluginSet("score").disabled()).containsExactly("NodeResourcesBalancedAllocation");
    assertThat(binpack.pluginSet("multiPoint").enabledNames()).contains("NodeResourcesBalancedAllocation");
    assertThat(binpack.args("NodeResourcesFit").path("scoringStrategy").path("type").asText()).isEqualTo("MostAllocated");
    assertThat(binpack.args("PodTopologySpread").path("defaultingType").asText()).isEqualTo("List");
    assertThat(binpack.args("InterPodAffinity")).isNotNull(); // inherited from default
    ResolvedProfile spread = e.profiles().get(1);
    assertThat(spread.pluginSet("score").enabled()).containsExactly(new PluginRef("PodTopologySpread", 5),
        new PluginRef("NodeResourcesFit", 3));
    // Upstream-style spreading: LeastAllocated, and NodeResourcesBalancedAllocation still scores at
    // upstream's default weight (1, pkg/scheduler/apis/config/v1/default_plugins.go); spread only
    // raises PodTopologySpread and NodeResourcesFit.
    assertThat(spread.pluginSet("score").disabled()).isEmpty();
    assertThat(spread.pluginSet("multiPoint").enabled()).contains(new PluginRef("NodeResourcesBalancedAllocation", 1));
    assertThat(spread.args("NodeResourcesFit").path("scoringStrategy").path("type").asText()).isEqualTo("LeastAllocated");
    assertThat(spread.args("NodeResourcesBalancedAllocation").path("resources")).hasSize(2);
  }

  @Test
  void profileOverridesApplyAsUpstreamMergesOverDefaults() throws Exception {
    Configuration.Effective e = resolve("""
        profiles:
        - schedulerName: custom
          percentageOfNodesToScore: 30
          plugins:
            multiPoint:
              enabled:
              - name: ImageLocality
                weight: 7
              - name: MyVendorPlugin
                weight: 4
              disabled:
              - name: InterPodAffinity
          pluginConfig:
          - name: MyVendorPlugin
            args: {level: 3}
        """, null, null, null);
    ResolvedProfile p = e.profiles().get(0);
    assertThat(p.percentageOfNodesToScore()).isEqualTo(30);
    List<String> names = p.pluginSet("multiPoint").enabledNames();
    assertThat(names).doesNotContain("InterPodAffinity").endsWith("DefaultBinder", "MyVendorPlugin");
    // replaced in place, keeping the default's position, with the new weight
    assertThat(p.pluginSet("multiPoint").enabled()).contains(new PluginRef("ImageLocality", 7));
    assertThat(names.indexOf("ImageLocality")).isEqualTo(names.indexOf("DefaultBinder") - 1);
    assertThat(p.args("MyVendorPlugin").path("level").asInt()).isEqualTo(3);
    assertThat(p.neededPlugins()).contains("MyVendorPlugin").doesNotContain("InterPodAffinity");
  }

  @Test
  void disablingEverythingStartsFromScratch() throws Exception {
    ResolvedProfile p = resolve("""
        - schedulerName: minimal
          plugins:
            multiPoint:
              enabled: [PrioritySort, DefaultBinder]
              disabled: ["*"]
        """, null, null, null).profiles().get(0);
    assertThat(p.pluginSet("multiPoint").enabledNames()).containsExactly("PrioritySort", "DefaultBinder");
  }

  @Test
  void configMapProfilesWinAndPoliciesMergeByName() throws Exception {
    String caProfiles = "- {schedulerName: default-scheduler, policy: mine}";
    String caPolicies = "mine: {policy: default, plugins: {score: {enabled: [{name: ImageLocality, weight: 9}]}}}";
    Configuration.Effective ca = resolve(caProfiles, caPolicies, null, null);
    assertThat(ca.profilesSource()).isEqualTo("configadmin");
    assertThat(ca.profiles().get(0).pluginSet("score").enabled()).containsExactly(new PluginRef("ImageLocality", 9));

    // the ConfigMap's policy of the same name replaces ConfigAdmin's; its profiles replace ConfigAdmin's
    Configuration.Effective cm = resolve(caProfiles, caPolicies,
        "{\"profiles\": [{\"schedulerName\": \"other\", \"policy\": \"mine\"}]}",
        "{\"mine\": {\"policy\": \"binpack\"}}");
    assertThat(cm.profilesSource()).isEqualTo("configmap");
    assertThat(cm.profiles()).extracting(ResolvedProfile::schedulerName).containsExactly("other");
    assertThat(cm.profiles().get(0).args("NodeResourcesFit").path("scoringStrategy").path("type").asText())
        .isEqualTo("MostAllocated");

    // a ConfigMap with only policies keeps ConfigAdmin's profiles
    Configuration.Effective policiesOnly = resolve(caProfiles, caPolicies, null, "{\"mine\": {\"policy\": \"spread\"}}");
    assertThat(policiesOnly.profilesSource()).isEqualTo("configadmin");
    assertThat(policiesOnly.profiles().get(0).pluginSet("score").enabled()).contains(new PluginRef("PodTopologySpread", 5));
  }

  @Test
  void invalidConfigurationsAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> resolve("- {schedulerName: a, policy: nope}", null, null, null))
        .hasMessageContaining("profile a: policy nope is not defined");
    assertThatThrownBy(() -> resolve(null, "x: {policy: y}\ny: {policy: x}", "- {schedulerName: a, policy: x}", null))
        .hasMessageContaining("cycle");
    assertThatThrownBy(() -> resolve("- {schedulerName: a}\n- {schedulerName: a}", null, null, null))
        .hasMessageContaining("duplicate schedulerName a");
    assertThatThrownBy(() -> resolve("- {schedulerName: a, plugins: {filtre: {}}}", null, null, null))
        .hasMessageContaining("unknown extension point filtre");
    assertThatThrownBy(() -> resolve("- {schedulerName: a, plugins: {score: {enabled: [{name: X, weight: -1}]}}}",
        null, null, null)).hasMessageContaining("weight of X must be a non-negative integer");
    assertThatThrownBy(() -> resolve("- {schedulerName: a, percentageOfNodesToScore: 101}", null, null, null))
        .hasMessageContaining("percentageOfNodesToScore");
    assertThatThrownBy(() -> resolve("- {schedulerName: a, colour: red}", null, null, null))
        .hasMessageContaining("unknown field colour");
    assertThatThrownBy(() -> resolve("[unclosed", null, null, null)).hasMessageContaining("not valid YAML/JSON");
    assertThatThrownBy(() -> resolve("[]", null, null, null)).hasMessageContaining("at least one profile");
  }

  /** The runtime's etc/io.bosun.scheduler.cfg spells out exactly the built-in policies. */
  @Test
  void runtimeDefaultConfigurationMatchesTheBuiltInPolicies() throws Exception {
    Path cfg = Path.of("../../runtime-assembly/src/runtime/etc/io.bosun.scheduler.cfg");
    Assumptions.assumeTrue(Files.exists(cfg), "not in a source checkout");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(cfg)) {
      p.load(r);
    }
    assertThat(p.getProperty("profiles")).startsWith("---");
    assertThat(ConfigParser.policies(p.getProperty("policies"), "cfg")).isEqualTo(Configuration.builtInPolicies());
    Configuration.Effective e = resolve(p.getProperty("profiles"), p.getProperty("policies"), null, null);
    assertThat(e.profilesSource()).isEqualTo("configadmin");
    assertThat(e.profiles()).isEqualTo(resolve(null, null, null, null).profiles());
  }
}

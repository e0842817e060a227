package io.bosun.scheduler.framework;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.scheduler.config.Configuration;
import io.bosun.scheduler.config.ResolvedProfile;
import io.bosun.scheduler.spi.ExtensionPoint;
import io.bosun.scheduler.spi.PluginFactory;
import io.bosun.scheduler.testing.FakeCluster;
import io.bosun.scheduler.testing.TestPlugins;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FrameworkBuilderTest {

  private final FakeCluster cluster = new FakeCluster();
  private final DelegatingServices services = new DelegatingServices(cluster, new ParallelizerImpl(1));
  private final Map<String, TestPlugins.TestFactory> factories = TestPlugins.standard();

  private ResolvedProfile profile(String profiles) throws Exception {
    return Configuration.resolve(new Configuration.Sources(profiles, TestPlugins.POLICIES, null, null)).profiles().get(0);
  }

  private Framework build(String profiles) throws Exception {
    return FrameworkBuilder.build(profile(profiles), n -> (PluginFactory) factories.get(n), services);
  }

  @Test
  void multiPointExpandsByInterfacesInUpstreamOrder() throws Exception {
    Framework f = build("""
        - schedulerName: s
          policy: test
          plugins:
            multiPoint:
              enabled: [{name: NameNumber, weight: 2}]
            score:
              enabled:
              - {name: Flat, weight: 4}
              - {name: NodeResourcesFit, weight: 3}
        """);
    assertThat(f.isReady()).isTrue();
    Map<ExtensionPoint, List<String>> p = f.pluginNames();
    assertThat(p.get(ExtensionPoint.PRE_ENQUEUE)).containsExactly("SchedulingGates");
    assertThat(p.get(ExtensionPoint.QUEUE_SORT)).containsExactly("PrioritySort");
    assertThat(p.get(ExtensionPoint.FILTER)).containsExactly("TaintToleration", "NodeResourcesFit");
    // overridden multiPoint plugin first, then multiPoint-only, then specific-only
    assertThat(p.get(ExtensionPoint.SCORE)).containsExactly("NodeResourcesFit", "NameNumber", "Flat");
    assertThat(p.get(ExtensionPoint.BIND)).containsExactly("DefaultBinder");
    assertThat(f.scoreWeight("NodeResourcesFit")).isEqualTo(3);
    assertThat(f.scoreWeight("NameNumber")).isEqualTo(2);
    assertThat(f.scoreWeight("Flat")).isEqualTo(4);
  }

  @Test
  void disabledAtOnePointStaysElsewhere() throws Exception {
    Framework f = build("""
        - schedulerName: s
          policy: test
          plugins:
            score:
              disabled: [{name: NodeResourcesFit}]
        """);
    assertThat(f.pluginNames().get(ExtensionPoint.SCORE)).isEmpty();
    assertThat(f.pluginNames().get(ExtensionPoint.FILTER)).contains("NodeResourcesFit");
  }

  @Test
  void missingPluginsMakeTheProfileWaitWithAClearProblem() throws Exception {
    factories.remove("TaintToleration");
    Framework f = build("- {schedulerName: s, policy: test}");
    assertThat(f.isReady()).isFalse();
    assertThat(f.problems()).containsExactly("plugin TaintToleration of profile s is not installed");
    assertThat(f.plugins()).isEmpty();
    // instances created before the problem was found are closed
    assertThat(factories.get("PrioritySort").created).allSatisfy(pl -> assertThat(((TestPlugins.Base) pl).closed).isTrue());

    factories.remove("DefaultBinder");
    assertThat(build("- {schedulerName: s, policy: test}").problems())
        .containsExactly("plugins TaintToleration, DefaultBinder of profile s are not installed");
  }

  @Test
  void badArgumentsAndWrongPointsAreProblems() throws Exception {
    Framework bad = build("""
        - schedulerName: s
          policy: test
          pluginConfig:
          - {name: NodeResourcesFit, args: {scoringStrategy: {type: Sideways}}}
        """);
    assertThat(bad.problems()).containsExactly(
        "plugin NodeResourcesFit of profile s rejected its arguments: unknown scoring strategy Sideways");
    Framework wrong = build("""
        - schedulerName: s
          policy: test
          plugins:
            filter:
              enabled: [DefaultBinder]
        """);
    assertThat(wrong.problems()).containsExactly("plugin DefaultBinder of profile s does not extend filter plugin");
    Framework noBinder = build("""
        - schedulerName: s
          plugins:
            multiPoint:
              enabled: [PrioritySort]
              disabled: ["*"]
        """);
    assertThat(noBinder.problems()).containsExactly("at least one bind plugin is needed for profile with scheduler name s");
  }
}

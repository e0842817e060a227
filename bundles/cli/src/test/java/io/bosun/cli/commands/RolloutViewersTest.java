package io.bosun.cli.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.cli.CliException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kubectl's status viewers for stateful and daemon sets, and its ControllerRevision rules. */
class RolloutViewersTest {

  static final ObjectMapper JSON = new ObjectMapper();

  static ObjectNode json(String s) throws Exception {
    return (ObjectNode) JSON.readTree(s.replace('\'', '"'));
  }

  static RolloutCommand.State sts(String spec, String status) throws Exception {
    return RolloutCommand.state("StatefulSet", "db",
        json("{'metadata':{'generation':2},'spec':" + spec + ",'status':" + status + "}"), 0);
  }

  static RolloutCommand.State ds(String spec, String status) throws Exception {
    return RolloutCommand.state("DaemonSet", "agent",
        json("{'metadata':{'generation':2},'spec':" + spec + ",'status':" + status + "}"), 0);
  }

  @Test
  void statefulSetMessagesFollowKubectlsViewer() throws Exception {
    String partitioned = "{'replicas':3,'updateStrategy':{'type':'RollingUpdate','rollingUpdate':{'partition':1}}}";
    assertThat(sts(partitioned, "{'observedGeneration':1}"))
        .isEqualTo(new RolloutCommand.State("Waiting for statefulset spec update to be observed...", false));
    assertThat(sts(partitioned, "{'observedGeneration':2,'readyReplicas':1}"))
        .isEqualTo(new RolloutCommand.State("Waiting for 2 pods to be ready...", false));
    assertThat(sts(partitioned, "{'observedGeneration':2,'readyReplicas':3,'updatedReplicas':1}")).isEqualTo(
        new RolloutCommand.State("Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
            false));
    assertThat(sts(partitioned, "{'observedGeneration':2,'readyReplicas':3,'updatedReplicas':2}"))
        .isEqualTo(new RolloutCommand.State("partitioned roll out complete: 2 new pods have been updated...", true));
    // Without rollingUpdate (an explicit RollingUpdate type keeps it unset): revisions decide.
    String plain = "{'replicas':2,'updateStrategy':{'type':'RollingUpdate'}}";
    assertThat(sts(plain, "{'observedGeneration':2,'readyReplicas':2,'updatedReplicas':1,'currentRevision':'db-a',"
        + "'updateRevision':'db-b'}")).isEqualTo(new RolloutCommand.State(
            "waiting for statefulset rolling update to complete 1 pods at revision db-b...", false));
    assertThat(sts(plain, "{'observedGeneration':2,'readyReplicas':2,'currentReplicas':2,'currentRevision':'db-b',"
        + "'updateRevision':'db-b'}")).isEqualTo(new RolloutCommand.State(
            "statefulset rolling update complete 2 pods at revision db-b...", true));
    assertThatThrownBy(() -> sts("{'replicas':1,'updateStrategy':{'type':'OnDelete'}}", "{'observedGeneration':2}"))
        .isInstanceOf(CliException.class)
        .hasMessage("rollout status is only available for RollingUpdate strategy type");
  }

  @Test
  void daemonSetMessagesFollowKubectlsViewer() throws Exception {
    String rolling = "{'updateStrategy':{'type':'RollingUpdate'}}";
    assertThat(ds(rolling, "{'observedGeneration':1}"))
        .isEqualTo(new RolloutCommand.State("Waiting for daemon set spec update to be observed...", false));
    assertThat(ds(rolling, "{'observedGeneration':2,'desiredNumberScheduled':3,'updatedNumberScheduled':1}"))
        .isEqualTo(new RolloutCommand.State(
            "Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated...", false));
    assertThat(ds(rolling, "{'observedGeneration':2,'desiredNumberScheduled':3,'updatedNumberScheduled':3,"
        + "'numberAvailable':2}")).isEqualTo(new RolloutCommand.State(
            "Waiting for daemon set \"agent\" rollout to finish: 2 of 3 updated pods are available...", false));
    assertThat(ds(rolling, "{'observedGeneration':2,'desiredNumberScheduled':3,'updatedNumberScheduled':3,"
        + "'numberAvailable':3}")).isEqualTo(new RolloutCommand.State("daemon set \"agent\" successfully rolled out",
            true));
    assertThatThrownBy(() -> ds("{'updateStrategy':{'type':'OnDelete'}}", "{'observedGeneration':2}"))
        .isInstanceOf(CliException.class)
        .hasMessage("rollout status is only available for RollingUpdate strategy type");
  }

  static ObjectNode revision(long n, String image) throws Exception {
    return json("{'metadata':{'name':'agent-" + n + "'},'revision':" + n + ",'data':{'spec':{'template':{"
        + "'metadata':{'labels':{'app':'agent'}},'spec':{'containers':[{'name':'c','image':'" + image + "'}]},"
        + "'$patch':'replace'}}}}");
  }

  @Test
  void findHistoryTakesTheNumberAskedForOrTheSecondNewest() throws Exception {
    List<ObjectNode> history = new ArrayList<>(List.of(revision(2, "a"), revision(5, "b"), revision(7, "c")));
    assertThat(ControllerRevisions.find(history, 5)).isSameAs(history.get(1));
    assertThat(ControllerRevisions.find(history, 0)).isSameAs(history.get(1));
    assertThat(ControllerRevisions.find(history, 3)).isNull();
    assertThat(ControllerRevisions.find(history.subList(0, 1), 0)).isNull();
  }

  @Test
  void aRevisionMatchesTheSameTemplateWhateverEmptyFieldsItCarries() throws Exception {
    ObjectNode ds = json("{'metadata':{'resourceVersion':'42'},'spec':{'template':{'metadata':{'labels':"
        + "{'app':'agent'},'annotations':{}},'spec':{'containers':[{'name':'c','image':'busybox:1.36','args':[]}],"
        + "'volumes':null}}}}");
    assertThat(ControllerRevisions.matches(ds, revision(1, "busybox:1.36"))).isTrue();
    assertThat(ControllerRevisions.matches(ds, revision(2, "busybox:1.37"))).isFalse();
    assertThat(ControllerRevisions.matches(ds, json("{'revision':3}"))).isFalse();
  }

  @Test
  void theRollbackPatchIsTheRevisionsDataWithAPrecondition() throws Exception {
    ObjectNode ds = json("{'metadata':{'resourceVersion':'42'},'spec':{'template':{}}}");
    JsonNode patch = ControllerRevisions.rollbackPatch(ds, revision(1, "busybox:1.36"));
    assertThat(patch.path("metadata").path("resourceVersion").asText()).isEqualTo("42");
    assertThat(patch.path("spec").path("template").path("$patch").asText()).isEqualTo("replace");
    assertThat(patch.path("spec").path("template").path("spec").path("containers").path(0).path("image").asText())
        .isEqualTo("busybox:1.36");
    JsonNode template = ControllerRevisions.template(revision(1, "busybox:1.36"));
    assertThat(template.has("$patch")).isFalse();
    assertThat(template.path("metadata").path("labels").path("app").asText()).isEqualTo("agent");
  }

  @Test
  void aRevisionsTemplatePrintsAsDescribeDoes() throws Exception {
    String text = new DescribeCommand(null).podTemplate(ControllerRevisions.template(revision(1, "busybox:1.36")));
    assertThat(text).isEqualTo("""
        Pod Template:
          Labels:  app=agent
          Containers:
            c:
              Image:        busybox:1.36
              Port:         <none>
              Environment:  <none>
        """);
  }
}

package io.bosun.apiserver.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.schema.KindInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableConverterTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
  private static final KindInfo PODS = kind("", "Pod", "pods", true);
  private static final KindInfo NODES = kind("", "Node", "nodes", false);
  private static final KindInfo DEPLOYMENTS = kind("apps", "Deployment", "deployments", true);

  private final TableConverter converter = new TableConverter();

  private static KindInfo kind(String group, String kind, String plural, boolean namespaced) {
    return new KindInfo(group, "v1", kind, plural, kind.toLowerCase(), namespaced, List.of(), List.of(), List.of(),
        List.of(), kind, kind + "List");
  }

  /** JSON with single quotes for readability. */
  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) MAPPER.readTree(text.replace('\'', '"'));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static ObjectNode pod(String spec, String status) {
    return json("{'apiVersion':'v1','kind':'Pod','metadata':{'name':'p','namespace':'default','resourceVersion':'7',"
        + "'creationTimestamp':'2024-05-01T11:00:00Z'},'spec':" + spec + ",'status':" + status + "}");
  }

  private List<String> cells(KindInfo kind, JsonNode obj) {
    ObjectNode table = converter.convertObject(kind, obj, TableOptions.DEFAULT, NOW);
    List<String> out = new ArrayList<>();
    table.get("rows").get(0).get("cells").forEach(c -> out.add(c.asText()));
    return out;
  }

  private List<String> podCells(String spec, String status) {
    return cells(PODS, pod(spec, status));
  }

  private static final String ONE = "{'containers':[{'name':'app','image':'nginx'}],'nodeName':'n1'}";

  @Test
  void podTableHasUpstreamColumns() {
    ObjectNode table = converter.convertObject(PODS, pod(ONE, "{'phase':'Pending'}"), TableOptions.DEFAULT, NOW);
    assertThat(table.get("kind").asText()).isEqualTo("Table");
    assertThat(table.get("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(table.at("/metadata/resourceVersion").asText()).isEqualTo("7");
    List<String> names = new ArrayList<>();
    List<Integer> priorities = new ArrayList<>();
    table.get("columnDefinitions").forEach(c -> {
      names.add(c.get("name").asText());
      priorities.add(c.get("priority").asInt());
      assertThat(c.has("format")).isTrue();
      assertThat(c.has("description")).isTrue();
    });
    assertThat(names).containsExactly("Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
        "Readiness Gates");
    assertThat(priorities).containsExactly(0, 0, 0, 0, 0, 1, 1, 1, 1);
    assertThat(table.at("/columnDefinitions/0/format").asText()).isEqualTo("name");
    assertThat(table.at("/columnDefinitions/3/type").asText()).isEqualTo("string");
    JsonNode object = table.at("/rows/0/object");
    assertThat(object.get("kind").asText()).isEqualTo("PartialObjectMetadata");
    assertThat(object.get("apiVersion").asText()).isEqualTo("meta.k8s.io/v1");
    assertThat(object.at("/metadata/name").asText()).isEqualTo("p");
    assertThat(object.has("spec")).isFalse();
  }

  @Test
  void pendingPod() {
    assertThat(podCells(ONE, "{'phase':'Pending'}"))
        .containsExactly("p", "0/1", "Pending", "0", "60m", "<none>", "n1", "<none>", "<none>");
  }

  @Test
  void containerCreatingPod() {
    assertThat(podCells(ONE, "{'phase':'Pending','containerStatuses':[{'name':'app','ready':false,'restartCount':0,"
        + "'state':{'waiting':{'reason':'ContainerCreating'}}}]}").subList(1, 4))
        .containsExactly("0/1", "ContainerCreating", "0");
  }

  @Test
  void runningReadyPod() {
    String spec = "{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}],'nodeName':'n1',"
        + "'readinessGates':[{'conditionType':'example.com/gate'}]}";
    String status = "{'phase':'Running','podIP':'10.0.0.5','podIPs':[{'ip':'10.0.0.5'}],"
        + "'conditions':[{'type':'Ready','status':'True'},{'type':'example.com/gate','status':'True'}],"
        + "'containerStatuses':["
        + "{'name':'a','ready':true,'restartCount':0,'state':{'running':{'startedAt':'2024-05-01T11:00:05Z'}}},"
        + "{'name':'b','ready':true,'restartCount':0,'state':{'running':{'startedAt':'2024-05-01T11:00:05Z'}}}]}";
    assertThat(podCells(spec, status))
        .containsExactly("p", "2/2", "Running", "0", "60m", "10.0.0.5", "n1", "<none>", "1/1");
  }

  @Test
  void crashLoopingPodShowsRestartsWithLastRestartAge() {
    String status = "{'phase':'Running','containerStatuses':[{'name':'app','ready':false,'restartCount':5,"
        + "'state':{'waiting':{'reason':'CrashLoopBackOff','message':'back-off'}},"
        + "'lastState':{'terminated':{'exitCode':1,'reason':'Error','finishedAt':'2024-05-01T11:55:00Z'}}}]}";
    assertThat(podCells(ONE, status).subList(1, 4)).containsExactly("0/1", "CrashLoopBackOff", "5 (5m ago)");
  }

  @Test
  void completedPodHasCompletedRowCondition() {
    String status = "{'phase':'Succeeded','containerStatuses':[{'name':'app','ready':false,'restartCount':0,"
        + "'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}]}";
    ObjectNode table = converter.convertObject(PODS, pod(ONE, status), TableOptions.DEFAULT, NOW);
    assertThat(table.at("/rows/0/cells/2").asText()).isEqualTo("Completed");
    assertThat(table.at("/rows/0/conditions")).isEqualTo(json(
        "{'c':[{'type':'Completed','status':'True','reason':'Succeeded','message':'The pod has completed successfully.'}]}")
        .get("c"));
  }

  @Test
  void failedPods() {
    assertThat(podCells(ONE, "{'phase':'Failed','containerStatuses':[{'name':'app','restartCount':0,"
        + "'state':{'terminated':{'exitCode':1,'reason':'Error'}}}]}").get(2)).isEqualTo("Error");
    assertThat(podCells(ONE, "{'phase':'Failed','containerStatuses':[{'name':'app','restartCount':0,"
        + "'state':{'terminated':{'exitCode':137}}}]}").get(2)).isEqualTo("ExitCode:137");
    assertThat(podCells(ONE, "{'phase':'Failed','containerStatuses':[{'name':'app','restartCount':0,"
        + "'state':{'terminated':{'exitCode':0,'signal':9}}}]}").get(2)).isEqualTo("Signal:9");
    assertThat(podCells(ONE, "{'phase':'Failed','reason':'Evicted'}").get(2)).isEqualTo("Evicted");
  }

  @Test
  void terminatingAndNodeLostPods() {
    ObjectNode terminating = pod(ONE, "{'phase':'Running','containerStatuses':[{'name':'app','ready':true,"
        + "'restartCount':0,'state':{'running':{}}}]}");
    ((ObjectNode) terminating.get("metadata")).put("deletionTimestamp", "2024-05-01T11:59:00Z");
    assertThat(cells(PODS, terminating).subList(1, 3)).containsExactly("1/1", "Terminating");

    ObjectNode lost = pod(ONE, "{'phase':'Running','reason':'NodeLost'}");
    ((ObjectNode) lost.get("metadata")).put("deletionTimestamp", "2024-05-01T11:59:00Z");
    assertThat(cells(PODS, lost).get(2)).isEqualTo("Unknown");

    ObjectNode finished = pod(ONE, "{'phase':'Succeeded'}");
    ((ObjectNode) finished.get("metadata")).put("deletionTimestamp", "2024-05-01T11:59:00Z");
    assertThat(cells(PODS, finished).get(2)).isEqualTo("Succeeded");
  }

  @Test
  void initContainerStates() {
    String spec = "{'initContainers':[{'name':'i1','image':'x'},{'name':'i2','image':'x'}],"
        + "'containers':[{'name':'app','image':'y'}]}";
    String firstDone = "{'name':'i1','restartCount':0,'state':{'terminated':{'exitCode':0,'reason':'Completed'}}}";
    assertThat(podCells(spec, "{'phase':'Pending','initContainerStatuses':[" + firstDone
        + ",{'name':'i2','restartCount':0,'state':{'running':{}}}],'containerStatuses':[{'name':'app',"
        + "'restartCount':0,'state':{'waiting':{'reason':'PodInitializing'}}}]}").subList(1, 4))
        .containsExactly("0/1", "Init:1/2", "0");
    assertThat(podCells(spec, "{'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':0,"
        + "'state':{'waiting':{'reason':'PodInitializing'}}}]}").get(2)).isEqualTo("Init:0/2");
    assertThat(podCells(spec, "{'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':2,"
        + "'state':{'terminated':{'exitCode':1,'reason':'Error'}}}]}").subList(2, 4))
        .containsExactly("Init:Error", "2");
    assertThat(podCells(spec, "{'phase':'Pending','initContainerStatuses':[" + firstDone
        + ",{'name':'i2','restartCount':3,'state':{'waiting':{'reason':'CrashLoopBackOff'}}}]}").get(2))
        .isEqualTo("Init:CrashLoopBackOff");
    assertThat(podCells(spec, "{'phase':'Pending','initContainerStatuses':[{'name':'i1','restartCount':0,"
        + "'state':{'terminated':{'exitCode':2}}}]}").get(2)).isEqualTo("Init:ExitCode:2");
  }

  @Test
  void sidecarInitContainersCountAsContainers() {
    String spec = "{'initContainers':[{'name':'proxy','image':'x','restartPolicy':'Always'}],"
        + "'containers':[{'name':'app','image':'y'}]}";
    String status = "{'phase':'Running','conditions':[{'type':'Initialized','status':'True'},"
        + "{'type':'Ready','status':'True'}],"
        + "'initContainerStatuses':[{'name':'proxy','ready':true,'started':true,'restartCount':1,"
        + "'state':{'running':{}},'lastState':{'terminated':{'exitCode':1,'finishedAt':'2024-05-01T11:30:00Z'}}}],"
        + "'containerStatuses':[{'name':'app','ready':true,'restartCount':0,'state':{'running':{}}}]}";
    assertThat(podCells(spec, status).subList(1, 4)).containsExactly("2/2", "Running", "1 (30m ago)");
  }

  @Test
  void completedContainerNextToARunningOneIsRunningOrNotReady() {
    String spec = "{'containers':[{'name':'a','image':'x'},{'name':'b','image':'y'}]}";
    String statuses = "'containerStatuses':[{'name':'a','restartCount':0,'state':{'terminated':{'exitCode':0,"
        + "'reason':'Completed'}}},{'name':'b','ready':true,'restartCount':0,'state':{'running':{}}}]";
    assertThat(podCells(spec, "{'phase':'Running','conditions':[{'type':'Ready','status':'True'}]," + statuses + "}")
        .subList(1, 3)).containsExactly("1/2", "Running");
    assertThat(podCells(spec, "{'phase':'Running'," + statuses + "}").get(2)).isEqualTo("NotReady");
  }

  @Test
  void schedulingGatedPod() {
    assertThat(podCells(ONE, "{'phase':'Pending','conditions':[{'type':'PodScheduled','status':'False',"
        + "'reason':'SchedulingGated'}]}").get(2)).isEqualTo("SchedulingGated");
  }

  @Test
  void deploymentColumnsAndCells() {
    ObjectNode d = json("{'metadata':{'name':'web','creationTimestamp':'2024-04-29T09:00:00Z'},"
        + "'spec':{'replicas':3,'selector':{'matchLabels':{'app':'web'},'matchExpressions':[{'key':'tier',"
        + "'operator':'In','values':['front','edge']}]},'template':{'spec':{'containers':[{'name':'nginx',"
        + "'image':'nginx:1.27'},{'name':'log','image':'busybox'}]}}},"
        + "'status':{'replicas':3,'readyReplicas':2,'updatedReplicas':3,'availableReplicas':2}}");
    ObjectNode table = converter.convertObject(DEPLOYMENTS, d, TableOptions.DEFAULT, NOW);
    List<String> names = new ArrayList<>();
    table.get("columnDefinitions").forEach(c -> names.add(c.get("name").asText() + ":" + c.get("priority")));
    assertThat(names).containsExactly("Name:0", "Ready:0", "Up-to-date:0", "Available:0", "Age:0", "Containers:1",
        "Images:1", "Selector:1");
    JsonNode cells = table.at("/rows/0/cells");
    assertThat(cells.get(1).asText()).isEqualTo("2/3");
    assertThat(cells.get(2).isIntegralNumber()).isTrue();
    assertThat(cells.get(2).asLong()).isEqualTo(3);
    assertThat(cells.get(3).asLong()).isEqualTo(2);
    assertThat(cells.get(4).asText()).isEqualTo("2d3h");
    assertThat(cells.get(5).asText()).isEqualTo("nginx,log");
    assertThat(cells.get(6).asText()).isEqualTo("nginx:1.27,busybox");
    assertThat(cells.get(7).asText()).isEqualTo("app=web,tier in (edge,front)");
  }

  @Test
  void nodeColumnsAndCells() {
    ObjectNode n = json("{'metadata':{'name':'n1','creationTimestamp':'2024-04-01T12:00:00Z','labels':{"
        + "'node-role.kubernetes.io/worker':'','node-role.kubernetes.io/control-plane':'','kubernetes.io/role':'edge'}},"
        + "'spec':{'unschedulable':true},'status':{'conditions':[{'type':'MemoryPressure','status':'False'},"
        + "{'type':'Ready','status':'True'}],'addresses':[{'type':'Hostname','address':'n1'},"
        + "{'type':'InternalIP','address':'192.168.1.10'}],'nodeInfo':{'kubeletVersion':'v1.32.0',"
        + "'osImage':'Debian GNU/Linux 12 (bookworm)','kernelVersion':'6.1.0','containerRuntimeVersion':''}}}");
    assertThat(cells(NODES, n)).containsExactly("n1", "Ready,SchedulingDisabled", "control-plane,edge,worker", "30d",
        "v1.32.0", "192.168.1.10", "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0", "<unknown>");
    ObjectNode notReady = json("{'metadata':{'name':'n2'},'status':{'conditions':[{'type':'Ready',"
        + "'status':'Unknown'}]}}");
    assertThat(cells(NODES, notReady).subList(1, 4)).containsExactly("NotReady", "<none>", "<unknown>");
    assertThat(cells(NODES, json("{'metadata':{'name':'n3'}}")).get(1)).isEqualTo("Unknown");
  }

  @Test
  void serviceCells() {
    KindInfo services = kind("", "Service", "services", true);
    ObjectNode svc = json("{'metadata':{'name':'web','creationTimestamp':'2024-05-01T11:59:15Z'},'spec':{"
        + "'type':'NodePort','clusterIP':'10.96.0.10','clusterIPs':['10.96.0.10'],'ports':[{'port':80,"
        + "'protocol':'TCP','nodePort':30080},{'port':53,'protocol':'UDP'}],'selector':{'b':'2','a':'1'}}}");
    assertThat(cells(services, svc))
        .containsExactly("web", "NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53/UDP", "45s", "a=1,b=2");
    ObjectNode lb = json("{'metadata':{'name':'lb'},'spec':{'type':'LoadBalancer','clusterIP':'10.96.0.11'},"
        + "'status':{'loadBalancer':{}}}");
    assertThat(cells(services, lb).subList(3, 5)).containsExactly("<pending>", "<none>");
  }

  @Test
  void jobStatusCompletionsAndDuration() {
    KindInfo jobs = kind("batch", "Job", "jobs", true);
    ObjectNode job = json("{'metadata':{'name':'pi','creationTimestamp':'2024-05-01T11:00:00Z'},'spec':{"
        + "'completions':1,'parallelism':1,'template':{'spec':{'containers':[{'name':'pi','image':'perl'}]}}},"
        + "'status':{'succeeded':1,'startTime':'2024-05-01T11:00:00Z','completionTime':'2024-05-01T11:01:10Z',"
        + "'conditions':[{'type':'Complete','status':'True'}]}}");
    assertThat(cells(jobs, job).subList(0, 5)).containsExactly("pi", "Complete", "1/1", "70s", "60m");
    ObjectNode running = json("{'metadata':{'name':'w'},'spec':{'parallelism':3},'status':{"
        + "'startTime':'2024-05-01T11:55:00Z'}}");
    assertThat(cells(jobs, running).subList(1, 4)).containsExactly("Running", "0/1 of 3", "5m");
  }

  @Test
  void eventCellsAreWide() {
    KindInfo events = kind("", "Event", "events", true);
    ObjectNode ev = json("{'metadata':{'name':'p.1'},'involvedObject':{'kind':'Pod','name':'p',"
        + "'fieldPath':'spec.containers{app}'},'reason':'Pulled','message':' pulled \\n','type':'Normal',"
        + "'source':{'component':'kubelet','host':'n1'},'firstTimestamp':'2024-05-01T11:00:00Z',"
        + "'lastTimestamp':'2024-05-01T11:58:00Z','count':3}");
    assertThat(cells(events, ev)).containsExactly("2m", "Normal", "Pulled", "pod/p", "spec.containers{app}",
        "kubelet, n1", "pulled", "60m", "3", "p.1");
  }

  @Test
  void defaultTableForKindsWithoutPrinter() {
    KindInfo widgets = kind("example.com", "Widget", "widgets", true);
    ObjectNode w = json("{'metadata':{'name':'w1','creationTimestamp':'2024-05-01T11:00:00Z'}}");
    ObjectNode table = converter.convertObject(widgets, w, TableOptions.DEFAULT, NOW);
    assertThat(converter.hasPrinter(widgets)).isFalse();
    assertThat(table.get("columnDefinitions")).isEqualTo(MAPPER.valueToTree(List.of(
        java.util.Map.of("name", "Name", "type", "string", "format", "name", "description", Descriptions.NAME,
            "priority", 0),
        java.util.Map.of("name", "Created At", "type", "date", "format", "", "description",
            Descriptions.CREATION_TIMESTAMP, "priority", 0))));
    assertThat(table.at("/rows/0/cells").toString()).isEqualTo("[\"w1\",\"2024-05-01T11:00:00Z\"]");
    assertThat(converter.convert(widgets, List.of(), TableOptions.DEFAULT, ListInfo.EMPTY, NOW).get("rows").isNull())
        .isTrue();
  }

  @Test
  void includeObjectNoHeadersAndListMetadata() {
    ObjectNode p = pod(ONE, "{'phase':'Pending'}");
    ObjectNode none = converter.convert(PODS, List.of(p), new TableOptions(IncludeObject.NONE, true),
        new ListInfo("42", "abc", 5L), NOW);
    assertThat(none.get("columnDefinitions").isNull()).isTrue();
    assertThat(none.get("metadata").toString())
        .isEqualTo("{\"resourceVersion\":\"42\",\"continue\":\"abc\",\"remainingItemCount\":5}");
    assertThat(none.at("/rows/0").has("object")).isTrue();
    assertThat(none.at("/rows/0/object").isNull()).isTrue();

    ObjectNode full = converter.convert(PODS, List.of(p), new TableOptions(IncludeObject.OBJECT, false),
        ListInfo.EMPTY, NOW);
    assertThat(full.at("/rows/0/object")).isEqualTo(p);
    assertThat(full.get("metadata")).isEqualTo(json("{}"));

    ObjectNode empty = converter.convert(PODS, List.of(), TableOptions.DEFAULT, ListInfo.of(json("{'resourceVersion':'9'}")),
        NOW);
    assertThat(empty.get("rows").isArray()).isTrue();
    assertThat(empty.get("rows")).isEmpty();
    assertThat(empty.at("/metadata/resourceVersion").asText()).isEqualTo("9");
  }

  @Test
  void includeObjectParsing() {
    assertThat(IncludeObject.parse(null)).isEqualTo(IncludeObject.METADATA);
    assertThat(IncludeObject.parse("")).isEqualTo(IncludeObject.METADATA);
    assertThat(IncludeObject.parse("None")).isEqualTo(IncludeObject.NONE);
    assertThat(IncludeObject.parse("Object")).isEqualTo(IncludeObject.OBJECT);
    assertThatThrownBy(() -> IncludeObject.parse("none")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unrecognized includeObject value: \"none\"");
  }

  @Test
  void everyServedKindOfTheModelHasAPrinter() {
    for (KindInfo k : io.bosun.api.schema.ApiSchema.load().kinds()) {
      assertThat(converter.hasPrinter(k)).as(k.kind()).isTrue();
      // and converting an almost empty object never fails
      ObjectNode table = converter.convertObject(k, json("{'metadata':{'name':'x'}}"), TableOptions.DEFAULT, NOW);
      assertThat(table.at("/rows/0/cells").size()).as(k.kind()).isEqualTo(table.get("columnDefinitions").size());
    }
  }
}

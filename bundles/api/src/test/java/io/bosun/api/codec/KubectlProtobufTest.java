package io.bosun.api.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import io.bosun.api.schema.TypeSchema;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real kubectl is the oracle: a tiny local API server (discovery from the model, an object
 * store, and capture of every request body) receives the protobuf bodies kubectl sends for its
 * generator commands, and each decoded body must equal the JSON kubectl prints for the same
 * command with {@code --dry-run=client -o json}. Skipped when kubectl is not on the PATH.
 *
 * <p>As observed here, kubectl 1.32 sends protobuf for {@code create <generator>},
 * {@code create job --from} and {@code debug node/...}, and JSON for {@code run},
 * {@code expose} and the evictions of {@code drain}; the JSON bodies are checked through a round
 * trip of our own encoder and decoder instead.
 */
class KubectlProtobufTest {

  private static final ApiSchema SCHEMA = ApiSchema.load();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ProtobufCodec PROTOBUF = new ProtobufCodec();

  private static String kubectl;
  private static HttpServer server;
  private static final List<Captured> captured = new CopyOnWriteArrayList<>();
  private static final Map<String, JsonNode> store = new ConcurrentHashMap<>();

  @TempDir
  static Path temp;

  /** A request body as received. */
  record Captured(String method, String path, String contentType, byte[] body) {}

  @BeforeAll
  static void start() throws IOException {
    kubectl = findOnPath("kubectl");
    if (kubectl == null) {
      return;
    }
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", KubectlProtobufTest::handle);
    server.start();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  static Stream<Arguments> generatorCommands() {
    return Stream.of(
        Arguments.of("Namespace", List.of("create", "namespace", "x")),
        Arguments.of("ConfigMap", List.of("create", "configmap", "x", "--from-literal=a=b")),
        Arguments.of("Secret", List.of("create", "secret", "generic", "x", "--from-literal=a=b")),
        Arguments.of("Secret", List.of("create", "secret", "generic", "typed", "--type=example.com/t",
            "--from-literal=k1=v1", "--from-literal=k2=")),
        Arguments.of("Secret", List.of("create", "secret", "docker-registry", "reg", "--docker-server=r.example.com",
            "--docker-username=u", "--docker-password=p", "--docker-email=e@example.com")),
        Arguments.of("ConfigMap", List.of("create", "configmap", "multi", "--from-literal=a=1", "--from-literal=b=")),
        Arguments.of("Deployment", List.of("create", "deployment", "x", "--image=nginx", "--replicas=3", "--port=80")),
        Arguments.of("Deployment", List.of("create", "deployment", "two", "--image=nginx", "--image=busybox",
            "--replicas=0")),
        Arguments.of("Job", List.of("create", "job", "x", "--image=busybox", "--", "echo", "hi")),
        Arguments.of("CronJob", List.of("create", "cronjob", "x", "--image=busybox", "--schedule=*/5 * * * *")),
        Arguments.of("CronJob", List.of("create", "cronjob", "y", "--image=busybox", "--schedule=@hourly",
            "--restart=Never", "--", "sh", "-c", "date")),
        Arguments.of("Service", List.of("create", "service", "clusterip", "x", "--tcp=80:8080")),
        Arguments.of("Service", List.of("create", "service", "nodeport", "np", "--tcp=80:8080", "--node-port=30080")),
        Arguments.of("Service", List.of("create", "service", "loadbalancer", "lb", "--tcp=443:https")),
        Arguments.of("Service", List.of("create", "service", "clusterip", "headless", "--clusterip=None")),
        Arguments.of("Service", List.of("create", "service", "externalname", "ext", "--external-name=db.example.com")),
        Arguments.of("ServiceAccount", List.of("create", "serviceaccount", "x")),
        Arguments.of("PriorityClass", List.of("create", "priorityclass", "x", "--value=1000")),
        Arguments.of("PriorityClass", List.of("create", "priorityclass", "zero", "--value=0",
            "--preemption-policy=Never", "--description=d")),
        Arguments.of("PodDisruptionBudget",
            List.of("create", "poddisruptionbudget", "x", "--selector=app=a", "--min-available=1")),
        Arguments.of("PodDisruptionBudget",
            List.of("create", "poddisruptionbudget", "y", "--selector=app=a", "--max-unavailable=25%")));
  }

  /**
   * Commands for which kubectl 1.32 sends JSON, not protobuf. Their bodies still check the codec:
   * encoded by us, decoded by us, equal to kubectl's own JSON.
   */
  static Stream<Arguments> jsonCommands() {
    return Stream.of(
        Arguments.of("Pod", List.of("run", "x", "--image=nginx", "--labels=a=b", "--env=K=V", "--port=80")),
        Arguments.of("Pod", List.of("run", "y", "--image=busybox", "--restart=Never", "--privileged",
            "--annotations=k=v", "--", "sh", "-c", "sleep 1")));
  }

  @ParameterizedTest(name = "kubectl {1}")
  @MethodSource("generatorCommands")
  void decodedBodyEqualsKubectlsOwnJson(String kind, List<String> command) throws Exception {
    requireKubectl();
    Captured request = post(command);
    assertThat(request.contentType()).startsWith(ProtobufCodec.MEDIA_TYPE);
    assertThat(ProtobufCodec.hasEnvelope(request.body())).isTrue();

    Decoded<JsonNode> decoded = PROTOBUF.decodeReporting(request.body(), SCHEMA);
    assertThat(decoded.unknownFields()).as("protobuf fields the model does not know").isEmpty();
    assertThat(decoded.value().path("kind").asText()).isEqualTo(kind);

    List<String> dryRun = new ArrayList<>(command);
    int dashes = dryRun.indexOf("--");
    dryRun.addAll(dashes < 0 ? dryRun.size() : dashes, List.of("--dry-run=client", "-o", "json"));
    JsonNode expected = JSON.readTree(run(dryRun));
    assertThat(normalize(decoded.value())).isEqualTo(normalize(expected));

    // The JSON decoder accepts the tree as it is: every field belongs to the model.
    Class<?> type = SCHEMA.javaClass(SCHEMA.typeForKind(expected.path("apiVersion").asText(), kind).orElseThrow());
    assertThat(new ApiCodec().convert(decoded.value(), type).unknownFields()).isEmpty();

    // And our encoder writes what decodes to the same tree.
    assertThat(PROTOBUF.decode(PROTOBUF.encode(decoded.value(), SCHEMA), SCHEMA)).isEqualTo(decoded.value());
  }

  @ParameterizedTest(name = "kubectl {1}")
  @MethodSource("jsonCommands")
  void jsonBodiesSurviveOurProtobufRoundTrip(String kind, List<String> command) throws Exception {
    requireKubectl();
    Captured request = post(command);
    JsonNode sent = body(request);
    assertThat(sent.path("kind").asText()).isEqualTo(kind);
    List<String> dryRun = new ArrayList<>(command);
    int dashes = dryRun.indexOf("--");
    dryRun.addAll(dashes < 0 ? dryRun.size() : dashes, List.of("--dry-run=client", "-o", "json"));
    assertThat(normalize(sent)).isEqualTo(normalize(JSON.readTree(run(dryRun))));
  }

  /** A protobuf Job made from a CronJob kubectl read back from the server. */
  @Test
  void createJobFromCronJob() throws Exception {
    requireKubectl();
    post(List.of("create", "cronjob", "nightly", "--image=busybox", "--schedule=0 3 * * *", "--", "date"));
    Captured request = post(List.of("create", "job", "manual", "--from=cronjob/nightly"));
    JsonNode job = PROTOBUF.decode(request.body(), SCHEMA);
    JsonNode expected = JSON.readTree(run(List.of("create", "job", "manual", "--from=cronjob/nightly",
        "--dry-run=client", "-o", "json")));
    assertThat(normalize(job)).isEqualTo(normalize(expected));
    assertThat(job.at("/metadata/annotations/cronjob.kubernetes.io~1instantiate").asText()).isEqualTo("manual");
    assertThat(job.at("/metadata/ownerReferences/0/kind").asText()).isEqualTo("CronJob");
    assertThat(job.at("/metadata/ownerReferences/0/controller").asBoolean()).isTrue();
    assertThat(job.at("/spec/template/spec/containers/0/command/0").asText()).isEqualTo("date");
  }

  /** kubectl 1.32 sends the service as JSON; it must survive our protobuf round trip. */
  @Test
  void exposeDeployment() throws Exception {
    requireKubectl();
    post(List.of("create", "deployment", "web", "--image=nginx", "--port=8080"));
    Captured request = post(List.of("expose", "deployment", "web", "--port=80", "--target-port=8080",
        "--type=NodePort"));
    JsonNode service = body(request);
    JsonNode expected = JSON.readTree(run(List.of("expose", "deployment", "web", "--port=80", "--target-port=8080",
        "--type=NodePort", "--dry-run=client", "-o", "json")));
    assertThat(normalize(service)).isEqualTo(normalize(expected));
    assertThat(service.at("/spec/ports/0/targetPort").asInt()).isEqualTo(8080);
    assertThat(service.at("/spec/selector/app").asText()).isEqualTo("web");
  }

  /** {@code kubectl debug node/...} creates a host-namespace pod through the typed client. */
  @Test
  void debugNodeCreatesAPod() throws Exception {
    requireKubectl();
    ObjectNode node = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", "n2");
    store.put("/api/v1/nodes/n2", node);
    Captured request = post(List.of("debug", "node/n2", "--image=busybox", "--profile=general"));
    JsonNode pod = body(request);
    assertThat(pod.path("kind").asText()).isEqualTo("Pod");
    assertThat(pod.at("/spec/nodeName").asText()).isEqualTo("n2");
    assertThat(pod.at("/spec/hostPID").asBoolean()).isTrue();
    assertThat(pod.at("/spec/containers/0/volumeMounts/0/mountPath").asText()).isEqualTo("/host");
    assertThat(pod.at("/spec/volumes/0/hostPath/path").asText()).isEqualTo("/");
    assertThat(new ApiCodec().convert(pod, io.bosun.api.core.v1.Pod.class).unknownFields()).isEmpty();
  }

  /** kubectl 1.32 sends the eviction as JSON; it must survive our protobuf round trip. */
  @Test
  void drainEviction() throws Exception {
    requireKubectl();
    ObjectNode node = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Node");
    node.putObject("metadata").put("name", "n1");
    store.put("/api/v1/nodes/n1", node);
    ObjectNode pod = (ObjectNode) JSON.readTree("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p1","namespace":"default","uid":"u1",
         "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"rs","uid":"u2","controller":true}]},
         "spec":{"nodeName":"n1","containers":[{"name":"c","image":"nginx"}]},"status":{"phase":"Running"}}""");
    store.put("/api/v1/namespaces/default/pods/p1", pod);
    int before = captured.size();
    run(List.of("drain", "n1", "--grace-period=7", "--timeout=30s"));
    Captured eviction = captured.subList(before, captured.size()).stream()
        .filter(c -> c.path().endsWith("/pods/p1/eviction")).findFirst().orElseThrow();
    JsonNode e = body(eviction);
    assertThat(e.path("apiVersion").asText()).isEqualTo("policy/v1");
    assertThat(e.path("kind").asText()).isEqualTo("Eviction");
    assertThat(e.at("/metadata/name").asText()).isEqualTo("p1");
    assertThat(e.at("/metadata/namespace").asText()).isEqualTo("default");
    assertThat(e.at("/deleteOptions/gracePeriodSeconds").asLong()).isEqualTo(7);
  }

  /**
   * The object a request carried: decoded from protobuf; or, when kubectl chose JSON, the JSON
   * after a round trip through our protobuf encoder and decoder, which must not change it.
   */
  private static JsonNode body(Captured request) throws Exception {
    if (request.contentType() != null && request.contentType().startsWith(ProtobufCodec.MEDIA_TYPE)) {
      Decoded<JsonNode> decoded = PROTOBUF.decodeReporting(request.body(), SCHEMA);
      assertThat(decoded.unknownFields()).as("protobuf fields the model does not know").isEmpty();
      return decoded.value();
    }
    JsonNode sent = JSON.readTree(request.body());
    JsonNode back = PROTOBUF.decode(PROTOBUF.encode(sent, SCHEMA), SCHEMA);
    assertThat(normalize(back)).as("protobuf round trip of %s", sent).isEqualTo(normalize(sent));
    return sent;
  }

  // ---------------------------------------------------------------- kubectl

  private static void requireKubectl() {
    assumeTrue(kubectl != null, "kubectl is not on the PATH: skipping the checks against real kubectl");
  }

  /** Runs a command that sends one object, returning the last body it sent. */
  private static Captured post(List<String> command) throws Exception {
    int before = captured.size();
    run(command);
    List<Captured> sent = captured.subList(before, captured.size()).stream()
        .filter(c -> c.method().equals("POST")).toList();
    assertThat(sent).as("requests sent by kubectl %s", command).isNotEmpty();
    return sent.get(sent.size() - 1);
  }

  private static String run(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(kubectl);
    command.add("--server=http://127.0.0.1:" + server.getAddress().getPort());
    command.add("--cache-dir=" + temp.resolve("cache"));
    command.add("--request-timeout=20s");
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("KUBECONFIG", temp.resolve("no-kubeconfig").toString());
    pb.environment().put("HOME", temp.toString());
    pb.redirectErrorStream(false);
    Path err = temp.resolve("stderr.txt");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + args + " did not finish");
    }
    String stderr = Files.readString(err);
    assertThat(p.exitValue()).as("kubectl %s failed: %s", args, stderr).isZero();
    return new String(out, StandardCharsets.UTF_8);
  }

  private static String findOnPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return null;
    }
    for (String dir : path.split(File.pathSeparator)) {
      File f = new File(dir, name);
      if (f.isFile() && f.canExecute()) {
        return f.getAbsolutePath();
      }
    }
    return null;
  }

  /** Equal trees regardless of how numbers were parsed. */
  private static JsonNode normalize(JsonNode node) throws IOException {
    return JSON.readTree(JSON.writeValueAsBytes(node));
  }

  // ---------------------------------------------------------------- the fake API server

  private static void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      String path = ex.getRequestURI().getPath();
      byte[] body = ex.getRequestBody().readAllBytes();
      String contentType = ex.getRequestHeaders().getFirst("Content-Type");
      if (!method.equals("GET")) {
        captured.add(new Captured(method, path, contentType, body));
      }
      switch (method) {
        case "GET" -> get(ex, path, ex.getRequestURI().getQuery());
        case "POST" -> create(ex, path, contentType, body);
        case "PATCH", "PUT" -> {
          JsonNode stored = store.get(path);
          reply(ex, stored == null ? 404 : 200, stored == null ? status(404, "NotFound", path) : stored);
        }
        case "DELETE" -> {
          JsonNode stored = store.remove(path);
          reply(ex, stored == null ? 404 : 200, stored == null ? status(404, "NotFound", path) : stored);
        }
        default -> reply(ex, 405, status(405, "MethodNotAllowed", method));
      }
    } catch (RuntimeException e) {
      e.printStackTrace();
      throw e;
    }
  }

  private static void create(HttpExchange ex, String path, String contentType, byte[] body) throws IOException {
    JsonNode object;
    try {
      object = contentType != null && contentType.startsWith(ProtobufCodec.MEDIA_TYPE)
          ? PROTOBUF.decode(body, SCHEMA) : JSON.readTree(body);
    } catch (DecodeException e) {
      reply(ex, 400, status(400, "BadRequest", e.getMessage()));
      return;
    }
    if (path.endsWith("/eviction")) {
      // The pod goes away at once.
      store.remove(path.substring(0, path.length() - "/eviction".length()));
      reply(ex, 201, status(201, "", "evicted"));
      return;
    }
    ObjectNode copy = object.deepCopy();
    ObjectNode metadata = copy.get("metadata") instanceof ObjectNode m ? m : copy.putObject("metadata");
    metadata.put("uid", "uid-" + metadata.path("name").asText());
    metadata.put("resourceVersion", "1");
    metadata.put("creationTimestamp", "2024-01-01T00:00:00Z");
    store.put(path + "/" + metadata.path("name").asText(), copy);
    reply(ex, 201, copy);
  }

  private static void get(HttpExchange ex, String path, String query) throws IOException {
    if (path.equals("/version")) {
      reply(ex, 200, JSON.readTree("""
          {"major":"1","minor":"32","gitVersion":"v1.32.0","gitCommit":"","gitTreeState":"clean",
           "buildDate":"2024-12-11T00:00:00Z","goVersion":"go1.23.4","compiler":"gc","platform":"linux/amd64"}"""));
    } else if (path.equals("/api")) {
      ObjectNode v = JSON.createObjectNode().put("kind", "APIVersions");
      v.putArray("versions").add("v1");
      v.putArray("serverAddressByClientCIDRs").addObject().put("clientCIDR", "0.0.0.0/0")
          .put("serverAddress", "127.0.0.1:" + server.getAddress().getPort());
      reply(ex, 200, v);
    } else if (path.equals("/apis")) {
      reply(ex, 200, groupList());
    } else if (path.equals("/api/v1") || path.matches("/apis/[^/]+/[^/]+")) {
      String gv = path.equals("/api/v1") ? "v1" : path.substring("/apis/".length());
      reply(ex, 200, resourceList(gv));
    } else if (store.containsKey(path)) {
      reply(ex, 200, store.get(path));
    } else if (path.equals("/api/v1/pods") || path.endsWith("/pods")) {
      ObjectNode list = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "PodList");
      list.putObject("metadata").put("resourceVersion", "1");
      ArrayNode items = list.putArray("items");
      String q = query == null ? "" : java.net.URLDecoder.decode(query, StandardCharsets.UTF_8);
      java.util.regex.Matcher node = java.util.regex.Pattern.compile("spec\\.nodeName=([^&,]+)").matcher(q);
      String nodeName = node.find() ? node.group(1) : null;
      store.forEach((k, v) -> {
        if (k.matches("/api/v1/namespaces/[^/]+/pods/[^/]+")
            && (nodeName == null || nodeName.equals(v.at("/spec/nodeName").asText()))) {
          items.add(v);
        }
      });
      reply(ex, 200, list);
    } else {
      reply(ex, 404, status(404, "NotFound", "the server could not find the requested resource"));
    }
  }

  private static ObjectNode groupList() {
    Map<String, List<KindInfo>> groups = new TreeMap<>();
    for (KindInfo k : SCHEMA.kinds()) {
      if (!k.group().isEmpty()) {
        groups.computeIfAbsent(k.group(), g -> new ArrayList<>()).add(k);
      }
    }
    ObjectNode list = JSON.createObjectNode().put("kind", "APIGroupList").put("apiVersion", "v1");
    ArrayNode items = list.putArray("groups");
    groups.forEach((g, kinds) -> {
      ObjectNode group = items.addObject().put("name", g);
      String gv = g + "/" + kinds.get(0).version();
      group.putArray("versions").addObject().put("groupVersion", gv).put("version", kinds.get(0).version());
      group.putObject("preferredVersion").put("groupVersion", gv).put("version", kinds.get(0).version());
    });
    return list;
  }

  private static ObjectNode resourceList(String groupVersion) {
    ObjectNode list = JSON.createObjectNode().put("kind", "APIResourceList").put("apiVersion", "v1")
        .put("groupVersion", groupVersion);
    ArrayNode resources = list.putArray("resources");
    for (KindInfo k : SCHEMA.kinds()) {
      if (!k.apiVersion().equals(groupVersion)) {
        continue;
      }
      ObjectNode r = resources.addObject().put("name", k.plural()).put("singularName", k.singular())
          .put("namespaced", k.namespaced()).put("kind", k.kind());
      ArrayNode verbs = r.putArray("verbs");
      List.of("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch").forEach(verbs::add);
      ArrayNode shortNames = r.putArray("shortNames");
      k.shortNames().forEach(shortNames::add);
      for (String sub : k.subresources()) {
        ObjectNode s = resources.addObject().put("name", k.plural() + "/" + sub).put("singularName", "")
            .put("namespaced", k.namespaced());
        TypeSchema subType = switch (sub) {
          case "eviction" -> SCHEMA.type("Eviction");
          case "scale" -> SCHEMA.type("Scale");
          case "binding" -> SCHEMA.type("Binding");
          default -> SCHEMA.type(k.typeName());
        };
        s.put("kind", subType.name());
        if (!subType.group().equals(k.group()) && subType.typeMeta() != null) {
          String[] gv = subType.typeMeta().split("/");
          s.put("group", gv.length == 2 ? gv[0] : "").put("version", gv[gv.length - 1]);
        }
        s.putArray("verbs").add("create").add("get").add("update").add("patch");
      }
    }
    return list;
  }

  private static ObjectNode status(int code, String reason, String message) {
    ObjectNode s = JSON.createObjectNode().put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", code < 300 ? "Success" : "Failure").put("message", message).put("reason", reason).put("code", code);
    return s;
  }

  private static void reply(HttpExchange ex, int code, JsonNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, bytes.length);
    ex.getResponseBody().write(bytes);
  }
}

package io.bosun.runtime.oci.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.bosun.runtime.oci.TestImages;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pulls from an in-process registry that speaks the distribution API with token auth. */
class ImageStoreTest {

  private static final String TOKEN = "t0ken";

  @TempDir
  Path dir;

  private final ObjectMapper json = new ObjectMapper();
  private HttpServer server;
  private String registry;
  private RegistryClient client;
  private ImageStore store;
  /** path -> (content type, bytes) */
  private final Map<String, Object[]> content = new ConcurrentHashMap<>();
  private final List<String> tokenScopes = new CopyOnWriteArrayList<>();
  private volatile boolean corruptBlobs;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    registry = "127.0.0.1:" + server.getAddress().getPort();
    client = new RegistryClient(json, Set.of(), "linux", Manifests.hostArchitecture());
    store = new ImageStore(dir.resolve("store"), json, false);
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop(0);
  }

  private void handle(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getPath();
    if (path.equals("/token")) {
      String q = java.net.URLDecoder.decode(ex.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
      tokenScopes.add(q);
      send(ex, 200, "application/json", ("{\"token\":\"" + TOKEN + "\",\"expires_in\":300}").getBytes());
      return;
    }
    if (!("Bearer " + TOKEN).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
      ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"http://" + registry
          + "/token\",service=\"fake-registry\",scope=\"repository:test/app:pull\"");
      send(ex, 401, "application/json", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}".getBytes());
      return;
    }
    Object[] c = content.get(path);
    if (c == null) {
      send(ex, 404, "application/json", "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\"}]}".getBytes());
      return;
    }
    byte[] body = (byte[]) c[1];
    if (corruptBlobs && path.contains("/blobs/") && body.length > 0) {
      body = body.clone();
      body[body.length / 2] ^= 1;
    }
    send(ex, 200, (String) c[0], body);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().add("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  private void serve(String repo, String tag, TestImages.Image image) {
    image.blobs().forEach((d, b) -> content.put("/v2/" + repo + "/blobs/" + d, new Object[] {"application/octet-stream", b}));
    content.put("/v2/" + repo + "/manifests/" + image.manifestDigest(), new Object[] {Manifests.OCI_MANIFEST, image.manifest()});
    if (tag != null) {
      content.put("/v2/" + repo + "/manifests/" + tag, new Object[] {Manifests.OCI_MANIFEST, image.manifest()});
    }
  }

  private static TestImages.Image image(String file, String text) throws IOException {
    byte[] layer = TestImages.layer(tar -> {
      tar.directory("etc", 0755);
      tar.file("etc/" + file, 0644, text.getBytes(StandardCharsets.UTF_8));
    }, true);
    return TestImages.image(List.of(layer), Map.of("Cmd", List.of("/bin/" + file), "User", "1000"));
  }

  @Test
  void pullsOnePlatformOfAnIndexThroughTheTokenHandshake() throws IOException {
    TestImages.Image mine = image("mine", "right platform");
    TestImages.Image other = image("other", "wrong platform");
    serve("test/app", null, mine);
    serve("test/app", null, other);
    ObjectNode index = json.createObjectNode();
    index.put("schemaVersion", 2).put("mediaType", Manifests.OCI_INDEX);
    var ms = index.putArray("manifests");
    ms.addObject().put("mediaType", Manifests.OCI_MANIFEST).put("digest", other.manifestDigest())
        .put("size", other.manifest().length).putObject("platform").put("os", "linux").put("architecture", "s390x");
    ms.addObject().put("mediaType", Manifests.OCI_MANIFEST).put("digest", mine.manifestDigest())
        .put("size", mine.manifest().length).putObject("platform").put("os", "linux")
        .put("architecture", Manifests.hostArchitecture());
    byte[] indexBytes = json.writeValueAsBytes(index);
    content.put("/v2/test/app/manifests/v1", new Object[] {Manifests.OCI_INDEX, indexBytes});

    ImageStore.Image pulled = store.pull(client, registry + "/test/app:v1", RegistryClient.Credentials.ANONYMOUS);

    assertThat(pulled.id()).isEqualTo(mine.configDigest());
    assertThat(pulled.manifestDigest()).isEqualTo(mine.manifestDigest());
    assertThat(pulled.repoTags()).containsExactly(registry + "/test/app:v1");
    assertThat(pulled.repoDigests()).containsExactly(registry + "/test/app@" + Digests.of(indexBytes));
    assertThat(pulled.config().cmd()).containsExactly("/bin/mine");
    assertThat(pulled.config().user()).isEqualTo("1000");
    assertThat(pulled.size()).isGreaterThan(0);
    assertThat(Files.readString(store.rootfs(pulled).resolve("etc/mine"))).isEqualTo("right platform");
    assertThat(store.rootfs(pulled).resolve("etc/other")).doesNotExist();
    assertThat(tokenScopes).hasSize(1); // the token is reused for the following requests
    assertThat(tokenScopes.get(0)).contains("service=fake-registry").contains("scope=repository:test/app:pull");

    assertThat(store.find(registry + "/test/app:v1")).contains(pulled);
    assertThat(store.find(registry + "/test/app@" + Digests.of(indexBytes))).contains(pulled);
    assertThat(store.find(pulled.id())).contains(pulled);
    assertThat(store.find(registry + "/test/app:v2")).isEmpty();

    // a new store over the same folder knows the image
    ImageStore reopened = new ImageStore(dir.resolve("store"), json, false);
    assertThat(reopened.find(registry + "/test/app:v1")).contains(pulled);
  }

  @Test
  void refusesContentThatDoesNotMatchItsDigest() throws IOException {
    TestImages.Image img = image("f", "x");
    serve("test/app", "v1", img);
    corruptBlobs = true;
    assertThatThrownBy(() -> store.pull(client, registry + "/test/app:v1", RegistryClient.Credentials.ANONYMOUS))
        .isInstanceOf(IOException.class).hasMessageContaining("verification");
    assertThat(store.list()).isEmpty();
    corruptBlobs = false;
    String wrong = "sha256:" + "0".repeat(64);
    assertThatThrownBy(() -> store.pull(client, registry + "/test/app@" + wrong, RegistryClient.Credentials.ANONYMOUS))
        .isInstanceOf(IOException.class).hasMessageContaining("not found");
    assertThatThrownBy(() -> store.pull(client, registry + "/test/nope:v1", RegistryClient.Credentials.ANONYMOUS))
        .isInstanceOf(IOException.class).hasMessageContaining("not found");
  }

  @Test
  void aMovedTagLeavesTheOldImageAndRemovalDeletesUnsharedBlobs() throws IOException {
    TestImages.Image v1 = image("one", "1");
    serve("test/app", "latest", v1);
    ImageStore.Image first = store.pull(client, registry + "/test/app", RegistryClient.Credentials.ANONYMOUS);
    TestImages.Image v2 = image("two", "2");
    serve("test/app", "latest", v2);
    ImageStore.Image second = store.pull(client, registry + "/test/app:latest", RegistryClient.Credentials.ANONYMOUS);
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(store.find(first.id()).orElseThrow().repoTags()).isEmpty();
    assertThat(store.find(registry + "/test/app").orElseThrow().id()).isEqualTo(second.id());

    assertThatThrownBy(() -> store.remove(first.id(), id -> true)).isInstanceOf(IllegalStateException.class);
    store.remove(first.id(), id -> false);
    assertThat(store.find(first.id())).isEmpty();
    assertThat(dir.resolve("store/blobs/sha256/" + Digests.hex(first.layers().get(0)))).doesNotExist();
    assertThat(dir.resolve("store/blobs/sha256/" + Digests.hex(second.layers().get(0)))).exists();
    store.remove(first.id(), id -> false); // idempotent
    assertThat(store.list()).extracting(ImageStore.Image::id).containsExactly(second.id());
  }

  @Test
  void importsOciLayoutArchives() throws IOException {
    TestImages.Image img = image("archived", "from the archive");
    Path archive = dir.resolve("app.tar");
    TestImages.writeLayout(img, "v7", archive);
    List<ImageStore.Image> imported = store.importArchive(archive, "example.com/team/app");
    assertThat(imported).hasSize(1);
    ImageStore.Image i = imported.get(0);
    assertThat(i.repoTags()).containsExactly("example.com/team/app:v7");
    assertThat(Files.readString(store.rootfs(i).resolve("etc/archived"))).isEqualTo("from the archive");

    Path full = dir.resolve("full.tar");
    TestImages.writeLayout(img, "docker.io/library/archived:1", full);
    assertThat(store.importArchive(full, null).get(0).repoTags()).contains("docker.io/library/archived:1");
    assertThat(store.find("archived:1")).isPresent();
  }

  @Test
  void parsesChallengesAndPicksPlatforms() throws IOException {
    assertThat(RegistryClient.params("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\""))
        .containsEntry("realm", "https://auth.docker.io/token").containsEntry("service", "registry.docker.io");
    Manifests.Parsed p = Manifests.parse(json, ("{\"schemaVersion\":2,\"manifests\":[{\"digest\":\"sha256:" + "1".repeat(64)
        + "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}}]}").getBytes(), Manifests.DOCKER_LIST);
    assertThat(p.index()).isTrue();
    assertThatThrownBy(() -> Manifests.pick(p, "linux", "amd64")).hasMessageContaining("linux/arm64");
    assertThatThrownBy(() -> Manifests.parse(json, "{\"schemaVersion\":1,\"fsLayers\":[]}".getBytes(), null))
        .hasMessageContaining("schema 1");
  }
}

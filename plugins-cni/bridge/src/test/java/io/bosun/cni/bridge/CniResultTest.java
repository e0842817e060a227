package io.bosun.cni.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.network.spi.AttachRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CniResultTest {

  private final ObjectMapper json = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void parsesCurrentResultsPreferringSandboxInterfacesAndIpv4() throws IOException {
    JsonNode r = json.readTree("""
        {"cniVersion":"1.0.0",
         "interfaces":[{"name":"bosun0","mac":"aa"},{"name":"veth1","mac":"bb"},{"name":"eth0","mac":"cc","sandbox":"/run/netns/x"}],
         "ips":[{"address":"fd00::5/64","interface":2},{"address":"10.88.0.5/16","gateway":"10.88.0.1","interface":2},
                {"address":"10.99.0.1/24","interface":0}],
         "routes":[{"dst":"0.0.0.0/0"}],"dns":{}}""");
    CniResult p = CniResult.parse(r);
    assertThat(p.ips()).containsExactly("10.88.0.5", "fd00::5", "10.99.0.1");
    assertThat(p.gateway()).isEqualTo("10.88.0.1");
  }

  @Test
  void parsesOldResultsAndErrors() throws IOException {
    CniResult old = CniResult.parse(json.readTree("{\"cniVersion\":\"0.2.0\",\"ip4\":{\"ip\":\"10.1.2.3/24\",\"gateway\":\"10.1.2.1\"}}"));
    assertThat(old.ips()).containsExactly("10.1.2.3");
    CniResult v04 = CniResult.parse(json.readTree("{\"cniVersion\":\"0.4.0\",\"ips\":[{\"version\":\"4\",\"address\":\"10.0.0.9/8\"}]}"));
    assertThat(v04.ips()).containsExactly("10.0.0.9");
    assertThatThrownBy(() -> CniResult.parse(json.readTree("{\"code\":7,\"msg\":\"bad config\",\"details\":\"no subnet\"}")))
        .hasMessage("CNI error 7: bad config (no subnet)");
  }

  @Test
  void defaultConfigurationIsBridgeWithHostLocalThenPortmap() throws IOException {
    BridgeNetwork.Settings s = new BridgeNetwork.Settings(null, dir, List.of(dir.resolve("none")), null, "bosun9",
        "10.77.0.0/16", false, 1400);
    JsonNode c = BridgeNetwork.defaultConfList(json, s);
    assertThat(c.path("cniVersion").asText()).isEqualTo("1.0.0");
    JsonNode bridge = c.path("plugins").get(0);
    assertThat(bridge.path("type").asText()).isEqualTo("bridge");
    assertThat(bridge.path("bridge").asText()).isEqualTo("bosun9");
    assertThat(bridge.path("isGateway").asBoolean()).isTrue();
    assertThat(bridge.path("ipMasq").asBoolean()).isFalse();
    assertThat(bridge.path("mtu").asInt()).isEqualTo(1400);
    assertThat(bridge.path("ipam").path("type").asText()).isEqualTo("host-local");
    assertThat(bridge.path("ipam").path("ranges").get(0).get(0).path("subnet").asText()).isEqualTo("10.77.0.0/16");
    assertThat(bridge.path("ipam").path("dataDir").asText()).startsWith(dir.toString());
    assertThat(c.path("plugins").get(1).path("capabilities").path("portMappings").asBoolean()).isTrue();

    BridgeNetwork n = new BridgeNetwork(s);
    assertThat(n.status().ready()).isFalse();
    assertThat(n.status().message()).contains("loopback").contains("bridge").contains("host-local").contains("portmap");
    assertThat(BridgeNetwork.cniArgs(new AttachRequest("sb1", dir, "ns", "pod", "uid", null, null)))
        .isEqualTo("IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;K8S_POD_INFRA_CONTAINER_ID=sb1;K8S_POD_UID=uid");
    assertThatThrownBy(() -> new BridgeNetwork.Settings(null, dir, null, null, "a-very-long-bridge-name", null, true, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BridgeNetwork.Settings(null, dir, null, null, null, "10.0.0.0", true, 0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aConflistInTheConfigurationFolderReplacesTheDefault() throws IOException {
    Path conf = dir.resolve("net.d");
    Files.createDirectories(conf);
    Files.writeString(conf.resolve("10-mine.conflist"), "{\"cniVersion\":\"0.4.0\",\"name\":\"mine\",\"plugins\":[{\"type\":\"ptp\"}]}");
    BridgeNetwork n = new BridgeNetwork(new BridgeNetwork.Settings(null, dir, null, conf, null, null, true, 0));
    assertThat(n.confList().path("name").asText()).isEqualTo("mine");
  }
}

package io.bosun.itests.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The fabric8 client, a widely used Java client, against the all-in-one runtime. */
@ExtendWith(BosunCluster.class)
class Fabric8Test {

  private static final String NS = "fabric8";
  private static KubernetesClient client;

  @BeforeAll
  static void connect(BosunCluster cluster) {
    Config config = new ConfigBuilder().withMasterUrl(cluster.url()).withNamespace(NS).withRequestTimeout(30_000)
        .build();
    client = new KubernetesClientBuilder().withConfig(config).build();
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NS).endMetadata().build())
        .create();
  }

  @AfterAll
  static void close() {
    if (client != null) {
      client.close();
    }
  }

  private static ConfigMap configMap(String name, String value) {
    return new ConfigMapBuilder().withNewMetadata().withName(name).withLabels(Map.of("suite", "fabric8"))
        .endMetadata().withData(Map.of("key", value)).build();
  }

  @Test
  void crudCreateOrReplaceEditAndDelete() {
    ConfigMap created = client.configMaps().resource(configMap("crud", "one")).create();
    assertThat(created.getMetadata().getUid()).isNotEmpty();
    assertThat(created.getMetadata().getResourceVersion()).isNotEmpty();

    ConfigMap got = client.configMaps().withName("crud").get();
    assertThat(got.getData()).containsEntry("key", "one");
    assertThat(client.configMaps().withLabel("suite", "fabric8").list().getItems())
        .extracting(c -> c.getMetadata().getName()).contains("crud");

    got.getData().put("key", "two");
    ConfigMap updated = client.configMaps().resource(got).update();
    assertThat(updated.getData()).containsEntry("key", "two");
    assertThat(Long.parseLong(updated.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));

    @SuppressWarnings("deprecation")
    ConfigMap replaced = client.configMaps().resource(configMap("crud", "three")).createOrReplace();
    assertThat(replaced.getData()).containsEntry("key", "three");
    @SuppressWarnings("deprecation")
    ConfigMap fresh = client.configMaps().resource(configMap("fresh", "new")).createOrReplace();
    assertThat(fresh.getMetadata().getUid()).isNotEmpty();

    ConfigMap edited = client.configMaps().withName("crud").edit(c -> {
      c.getData().put("edited", "yes");
      return c;
    });
    assertThat(edited.getData()).containsEntry("edited", "yes").containsEntry("key", "three");

    assertThat(client.configMaps().withName("crud").delete()).hasSize(1);
    assertThat(client.configMaps().withName("crud").get()).isNull();
  }

  @Test
  void serverSideApplyCreatesAndUpdates() {
    Deployment d = new DeploymentBuilder().withNewMetadata().withName("ssa").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "ssa").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "ssa").endMetadata().withNewSpec()
        .addNewContainer().withName("main").withImage("nginx:1.25").endContainer().endSpec().endTemplate()
        .endSpec().build();
    Deployment applied = client.apps().deployments().resource(d).fieldManager("bosun-test").forceConflicts()
        .serverSideApply();
    assertThat(applied.getSpec().getReplicas()).isEqualTo(1);
    d.getSpec().setReplicas(3);
    Deployment reapplied = client.apps().deployments().resource(d).fieldManager("bosun-test").forceConflicts()
        .serverSideApply();
    assertThat(reapplied.getSpec().getReplicas()).isEqualTo(3);
    assertThat(reapplied.getMetadata().getManagedFields()).extracting(m -> m.getManager()).contains("bosun-test");
  }

  @Test
  void watchSeesEveryChange() throws Exception {
    List<String> events = new CopyOnWriteArrayList<>();
    try (var watch = client.configMaps().withLabel("watch", "me").watch(new Watcher<ConfigMap>() {
      @Override
      public void eventReceived(Action action, ConfigMap resource) {
        events.add(action + ":" + resource.getMetadata().getName());
      }

      @Override
      public void onClose(WatcherException cause) {
      }
    })) {
      ConfigMap cm = configMap("watched", "a");
      cm.getMetadata().getLabels().put("watch", "me");
      client.configMaps().resource(cm).create();
      client.configMaps().withName("watched").edit(c -> {
        c.getData().put("key", "b");
        return c;
      });
      client.configMaps().withName("watched").delete();
      Await.until(Duration.ofSeconds(30), () -> events.size() >= 3 ? null : "events: " + events);
      assertThat(events).containsExactly("ADDED:watched", "MODIFIED:watched", "DELETED:watched");
    }
  }

  @Test
  void informerSeesEveryChange() throws Exception {
    for (int i = 0; i < 5; i++) {
      ConfigMap cm = configMap("pre-" + i, "x");
      cm.getMetadata().getLabels().put("informed", "yes");
      client.configMaps().resource(cm).create();
    }
    List<String> seen = new CopyOnWriteArrayList<>();
    SharedIndexInformer<ConfigMap> informer = client.configMaps().withLabel("informed", "yes")
        .inform(new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap obj) {
            seen.add("add:" + obj.getMetadata().getName());
          }

          @Override
          public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
            if (!oldObj.getMetadata().getResourceVersion().equals(newObj.getMetadata().getResourceVersion())) {
              seen.add("update:" + newObj.getMetadata().getName());
            }
          }

          @Override
          public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
            seen.add("delete:" + obj.getMetadata().getName());
          }
        });
    try {
      Await.until(Duration.ofSeconds(30), () -> informer.hasSynced() ? null : "not synced");
      for (int i = 0; i < 20; i++) {
        ConfigMap cm = configMap("live-" + i, "x");
        cm.getMetadata().getLabels().put("informed", "yes");
        client.configMaps().resource(cm).create();
      }
      client.configMaps().withName("pre-0").edit(c -> {
        c.getData().put("key", "changed");
        return c;
      });
      client.configMaps().withName("pre-1").delete();
      Await.until(Duration.ofSeconds(30), () -> seen.size() >= 27 ? null : seen.size() + " events: " + seen);
      assertThat(seen.stream().filter(s -> s.startsWith("add:"))).hasSize(25);
      assertThat(seen).contains("update:pre-0", "delete:pre-1");
      assertThat(informer.getStore().list()).hasSize(24);
    } finally {
      informer.close();
    }
  }
}

package io.bosun.controllers.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.Pod;
import io.bosun.client.informer.IndexFunction;
import io.bosun.client.informer.Indexer;
import io.bosun.controller.Indexes;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The by-node index this bundle adds to the manager's shared pod informer is the manager's own
 * (name and function): the informer outlives this bundle's revisions, and keeps the first function
 * added under a name, so a function of this bundle would stay there, from the old revision, after
 * the bundle is updated.
 */
class PodIndexesTest {

  @Test
  void addsTheManagersNodeNameIndexNotOneOfItsOwn() {
    List<Object[]> added = new ArrayList<>();
    @SuppressWarnings("unchecked")
    Indexer<Pod> recording = (Indexer<Pod>) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {Indexer.class}, (proxy, method, args) -> {
          if (method.getName().equals("addIndexer")) {
            added.add(args);
            return null;
          }
          if (method.getName().equals("byIndex")) {
            return List.of();
          }
          throw new UnsupportedOperationException(method.getName());
        });
    PodIndexes.addByNode(recording);
    assertThat(added).hasSize(1);
    assertThat(added.get(0)[0]).isEqualTo(Indexes.POD_NODE_NAME);
    assertThat((IndexFunction<?>) added.get(0)[1]).isSameAs(Indexes.podNodeName());
    assertThat(PodIndexes.onNode(recording, "n")).isEmpty();
  }
}

package io.bosun.store.etcd;

import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.tck.KeyValueStoreContractTest;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract against a real etcd. Each test gets a new store under a prefix of its own,
 * whose revision offset makes it start at revision 0 although the etcd member is shared by the
 * class. Reopening restarts etcd too, so the durability test covers etcd's own persistence and the
 * store's reconnection. Nothing is switched off: key order included (see {@link KeyLayout}).
 */
class EtcdStoreContractTest extends KeyValueStoreContractTest {

  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  private static final AtomicInteger STORES = new AtomicInteger();

  private String prefix;
  private EtcdStore current;

  private EtcdStore open() {
    return new EtcdStore(EtcdStore.Options.defaults(List.of(ETCD.etcd().endpoint())).withKeyPrefix(prefix));
  }

  @Override
  protected KeyValueStore openStore() {
    prefix = "/tck" + STORES.incrementAndGet();
    current = open();
    return current;
  }

  @Override
  protected void closeStore() {
    if (current != null) {
      current.close();
    }
  }

  @Override
  protected KeyValueStore reopenStore() {
    current.close();
    ETCD.etcd().restart();
    current = open();
    return current;
  }
}

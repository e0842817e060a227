package io.bosun.store.embedded;

import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.tck.KeyValueStoreContractTest;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, against the embedded store with fsync on (its default). */
class EmbeddedStoreContractTest extends KeyValueStoreContractTest {

  @TempDir
  Path dir;

  private EmbeddedStore current;

  @Override
  protected KeyValueStore openStore() {
    current = new EmbeddedStore(EmbeddedStore.Options.defaults(dir));
    return current;
  }

  @Override
  protected void closeStore() {
    current.close();
  }

  @Override
  protected KeyValueStore reopenStore() {
    current.close();
    return openStore();
  }
}

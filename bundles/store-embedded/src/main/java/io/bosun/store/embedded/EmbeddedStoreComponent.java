package io.bosun.store.embedded;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.spi.WriteResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers an {@link EmbeddedStore} as the {@link KeyValueStore} service, with
 * {@code bosun.store.backend=embedded}. Configuration PID {@value #PID}; works without any
 * configuration. A configuration change restarts the store (deactivate, then activate), which
 * ends its watches; clients resume them from their last revision.
 */
@Component(configurationPid = EmbeddedStoreComponent.PID, service = KeyValueStore.class,
    property = KeyValueStore.BACKEND + "=" + EmbeddedStoreComponent.BACKEND_NAME)
@Designate(ocd = EmbeddedStoreComponent.Config.class)
public final class EmbeddedStoreComponent implements KeyValueStore {

  /** The configuration PID. */
  public static final String PID = "io.bosun.store.embedded";
  /** The value of {@link KeyValueStore#BACKEND} for this store. */
  public static final String BACKEND_NAME = "embedded";
  /** Framework property naming Bosun's data directory; the store lives in its {@code store} folder. */
  public static final String DATA_PROPERTY = "bosun.data";

  /** Typed configuration of {@value #PID}. */
  @ObjectClassDefinition(id = EmbeddedStoreComponent.PID, name = "Bosun embedded store",
      description = "The default durable key-value store.")
  public @interface Config {

    @AttributeDefinition(description = "Store directory. Empty: the framework property bosun.data plus /store, "
        + "or ./data/store without it.")
    String dataDir() default "";

    @AttributeDefinition(description = "Wait for fsync before acknowledging a write. Off, acknowledged writes "
        + "survive a process crash but not a power loss.")
    boolean fsync() default true;

    @AttributeDefinition(description = "Automatic compaction keeps at least this many revisions of history.")
    long historyRevisions() default 10_000;

    @AttributeDefinition(description = "Automatic compaction keeps at least the revisions of this many seconds.")
    long historyDurationSeconds() default 300;

    @AttributeDefinition(description = "Revisions a watch may have queued before it is closed as too slow.")
    int watchQueueCapacity() default 10_000;

    @AttributeDefinition(description = "MVStore page cache size in MB.")
    int cacheSizeMb() default 64;
  }

  private final EmbeddedStore store;

  /** Opens the store; fails activation (so no service is registered) if the file cannot be opened. */
  @Activate
  public EmbeddedStoreComponent(Config config, BundleContext context) {
    this.store = new EmbeddedStore(options(config, context::getProperty));
  }

  /** Maps the configuration to store options; {@code frameworkProperty} resolves {@value #DATA_PROPERTY}. */
  static EmbeddedStore.Options options(Config config, UnaryOperator<String> frameworkProperty) {
    Path dir;
    if (!config.dataDir().isBlank()) {
      dir = Path.of(config.dataDir());
    } else {
      String data = frameworkProperty.apply(DATA_PROPERTY);
      dir = data == null || data.isBlank() ? Path.of("data", "store") : Path.of(data, "store");
    }
    return EmbeddedStore.Options.defaults(dir.toAbsolutePath())
        .withFsync(config.fsync())
        .withHistory(config.historyRevisions(), Duration.ofSeconds(config.historyDurationSeconds()))
        .withWatchQueueCapacity(config.watchQueueCapacity())
        .withCacheSizeMb(config.cacheSizeMb());
  }

  /** Stops the writer and watch threads and closes the file. */
  @Deactivate
  void deactivate() {
    store.close();
  }

  @Override
  public long revision() {
    return store.revision();
  }

  @Override
  public long compactRevision() {
    return store.compactRevision();
  }

  @Override
  public KeyValue get(String key) {
    return store.get(key);
  }

  @Override
  public RangeResult range(KeyRange range, long limit, long revision) {
    return store.range(range, limit, revision);
  }

  @Override
  public long count(KeyRange range) {
    return store.count(range);
  }

  @Override
  public WriteResult create(String key, byte[] value, long lease) {
    return store.create(key, value, lease);
  }

  @Override
  public WriteResult update(String key, byte[] value, long expectedModRevision, long lease) {
    return store.update(key, value, expectedModRevision, lease);
  }

  @Override
  public WriteResult delete(String key, long expectedModRevision) {
    return store.delete(key, expectedModRevision);
  }

  @Override
  public long grantLease(long ttlSeconds) {
    return store.grantLease(ttlSeconds);
  }

  @Override
  public Watch watch(KeyRange range, long fromRevision, WatchListener listener) {
    return store.watch(range, fromRevision, listener);
  }

  @Override
  public void compact(long revision) {
    store.compact(revision);
  }

  @Override
  public Map<String, Object> status() {
    return store.status();
  }
}

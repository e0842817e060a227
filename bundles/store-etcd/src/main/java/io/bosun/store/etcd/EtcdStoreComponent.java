package io.bosun.store.etcd;

import io.bosun.store.spi.KeyRange;
import io.bosun.store.spi.KeyValue;
import io.bosun.store.spi.KeyValueStore;
import io.bosun.store.spi.RangeResult;
import io.bosun.store.spi.Watch;
import io.bosun.store.spi.WatchListener;
import io.bosun.store.spi.WriteResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Registers an {@link EtcdStore} as the {@link KeyValueStore} service, with
 * {@code bosun.store.backend=etcd}. Configuration PID {@value #PID}, required: without a
 * configuration the component stays inactive and the embedded store remains the runtime's store.
 * A configuration change reconnects (deactivate, then activate), which ends the store's watches;
 * clients resume them from their last revision.
 *
 * <p>Immediate: it connects as soon as it is configured, not when a consumer first asks, so a wrong
 * configuration or an unreachable cluster shows in the log at once. Activation waits up to
 * {@code requestTimeoutSeconds} for etcd and fails (no service) if it cannot be reached; changing
 * the configuration or restarting the bundle tries again.
 */
@Component(configurationPid = EtcdStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
    immediate = true, service = KeyValueStore.class, property = KeyValueStore.BACKEND + "=" + EtcdStoreComponent.BACKEND_NAME)
@Designate(ocd = EtcdStoreComponent.Config.class)
public final class EtcdStoreComponent implements KeyValueStore {

  /** The configuration PID. */
  public static final String PID = "io.bosun.store.etcd";
  /** The value of {@link KeyValueStore#BACKEND} for this store. */
  public static final String BACKEND_NAME = "etcd";

  /** Typed configuration of {@value #PID}. */
  @ObjectClassDefinition(id = EtcdStoreComponent.PID, name = "Bosun etcd store",
      description = "A key-value store on an etcd v3 cluster that Bosun has to itself.")
  public @interface Config {

    @AttributeDefinition(description = "Client URLs of the etcd members, http:// or https://; a value may also "
        + "list several separated by commas.")
    String[] endpoints() default {"http://127.0.0.1:2379"};

    @AttributeDefinition(description = "Every key of the store lives under this prefix: data under <prefix>/kv, "
        + "the revision offset in <prefix>/meta, write tokens under <prefix>/writers/.")
    String keyPrefix() default "/bosun";

    @AttributeDefinition(description = "PEM file of the CA certificates that sign the etcd servers' certificates. "
        + "Empty: the JDK's trust store (used when an endpoint is https://).")
    String caFile() default "";

    @AttributeDefinition(description = "PEM client certificate chain for etcd's --client-cert-auth. Empty: none.")
    String certFile() default "";

    @AttributeDefinition(description = "PEM PKCS#8 private key of certFile (openssl pkcs8 -topk8 -nocrypt converts "
        + "others).")
    String keyFile() default "";

    @AttributeDefinition(description = "Server name to verify in the etcd certificates instead of the endpoint "
        + "host. Empty: the endpoint host.")
    String tlsServerName() default "";

    @AttributeDefinition(description = "etcd user when etcd auth is enabled. Empty: no authentication.")
    String user() default "";

    /** Property {@code .password}: the leading dot keeps it out of the service properties. */
    @AttributeDefinition(type = AttributeType.PASSWORD, description = "Password of user (property .password, "
        + "private: not published with the service).")
    String _password() default "";

    @AttributeDefinition(description = "File holding the password of user (first line), instead of password.")
    String passwordFile() default "";

    @AttributeDefinition(description = "How long one store operation keeps trying through connection failures "
        + "before it fails.")
    long requestTimeoutSeconds() default 30;

    @AttributeDefinition(description = "Deadline of a single request to etcd.")
    long attemptTimeoutSeconds() default 10;

    @AttributeDefinition(description = "Revisions a watch may have queued before it is closed as too slow.")
    int watchQueueCapacity() default 10_000;
  }

  private final EtcdStore store;

  /** Connects; fails activation (so no service is registered) if etcd cannot be reached or the config is invalid. */
  @Activate
  public EtcdStoreComponent(Config config) {
    this.store = new EtcdStore(options(config));
  }

  /** Maps the configuration to store options, validating it. */
  static EtcdStore.Options options(Config config) {
    EtcdStore.Options o = EtcdStore.Options.defaults(EtcdStore.splitEndpoints(config.endpoints()))
        .withKeyPrefix(config.keyPrefix())
        .withTimeouts(Duration.ofSeconds(config.requestTimeoutSeconds()), Duration.ofSeconds(config.attemptTimeoutSeconds()))
        .withWatchQueueCapacity(config.watchQueueCapacity());
    if (!config.caFile().isBlank() || !config.certFile().isBlank() || !config.keyFile().isBlank()
        || !config.tlsServerName().isBlank()) {
      o = o.withTls(path(config.caFile()), path(config.certFile()), path(config.keyFile()),
          config.tlsServerName().isBlank() ? null : config.tlsServerName());
    }
    if (!config.user().isBlank()) {
      String password = config._password();
      if (!config.passwordFile().isBlank()) {
        try {
          password = Files.readAllLines(Path.of(config.passwordFile()), StandardCharsets.UTF_8).stream().findFirst()
              .orElse("");
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read passwordFile " + config.passwordFile(), e);
        }
      }
      o = o.withAuth(config.user(), password);
    }
    return o;
  }

  private static Path path(String s) {
    return s.isBlank() ? null : Path.of(s);
  }

  /** Ends the watches, stops the store's threads and disconnects. */
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

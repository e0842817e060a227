package io.bosun.store.etcd;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.store.tck.Await;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The packaged bundle inside Felix, as the runtime runs it: SCR, ConfigAdmin, SPI Fly and slf4j,
 * the store SPI bundle and this bundle. The component stays inactive until configured, then
 * registers a {@code bosun.store.backend=etcd} store that writes, reads and watches a real etcd;
 * stopping the bundle ends every thread it started.
 *
 * <p>Bundles come from the test class path, or, with {@code -Dbosun.it.system=<runtime>/system},
 * from a built runtime (start level = folder name), to check this bundle next to everything the
 * runtime has. The test talks to the store through reflection on the bundle's own classes, which
 * the test class path does not share with the framework.
 */
class EtcdStoreBundleIT {

  @RegisterExtension
  static final EtcdExtension ETCD = new EtcdExtension();

  /** Jars of the test class path that make the minimal runtime, with their start levels. */
  private static final Map<String, Integer> MINIMAL = Map.ofEntries(
      Map.entry("org.apache.aries.spifly.dynamic.bundle-", 1), Map.entry("asm-", 1),
      Map.entry("asm-commons-", 1), Map.entry("asm-tree-", 1), Map.entry("asm-util-", 1),
      Map.entry("asm-analysis-", 1),
      Map.entry("slf4j-api-", 2), Map.entry("slf4j-simple-", 2),
      Map.entry("org.apache.felix.scr-", 3), Map.entry("org.apache.felix.configadmin-", 3),
      Map.entry("org.osgi.service.component-", 3), Map.entry("org.osgi.util.promise-", 3),
      Map.entry("org.osgi.util.function-", 3), Map.entry("bosun-store-spi-", 3));

  private static final Pattern STORE_THREADS = Pattern.compile(
      "bosun-etcd.*|jetcd.*|grpc.*|.*ELG.*|nioEventLoop.*|globalEventExecutor.*|vert\\.x.*");

  private static final String STORE_FILTER = "(bosun.store.backend=etcd)";

  @TempDir
  Path cache;

  private Framework framework;

  @BeforeEach
  void startFelix() throws Exception {
    Map<String, Object> config = new HashMap<>();
    config.put(Constants.FRAMEWORK_STORAGE, cache.toString());
    config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
    config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
    config.put("felix.log.level", "1");
    // With a runtime's bundles the embedded store starts too: keep its data out of the module.
    config.put("bosun.data", cache.resolve("data").toString());
    framework = new Felix(config);
    framework.init();
    BundleContext context = framework.getBundleContext();
    List<Bundle> installed = new ArrayList<>();
    for (Map.Entry<Path, Integer> b : bundles().entrySet()) {
      Bundle bundle = context.installBundle(b.getKey().toUri().toString());
      bundle.adapt(BundleStartLevel.class).setStartLevel(b.getValue());
      installed.add(bundle);
    }
    System.out.printf("Felix with %d bundles from %s%n", installed.size(),
        System.getProperty("bosun.it.system", "the test class path"));
    framework.start();
    for (Bundle b : installed) {
      if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
        b.start();
      }
    }
    java.util.concurrent.CountDownLatch reached = new java.util.concurrent.CountDownLatch(1);
    framework.adapt(FrameworkStartLevel.class).setStartLevel(4, e -> reached.countDown());
    assertThat(reached.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    for (Bundle b : installed) {
      if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
        assertThat(b.getState()).as("state of %s", b.getSymbolicName()).isEqualTo(Bundle.ACTIVE);
      }
    }
  }

  @AfterEach
  void stopFelix() throws Exception {
    if (framework != null) {
      framework.stop();
      framework.waitForStop(30_000);
    }
  }

  /** The bundles to install and their start levels; this module's bundle at level 3. */
  private static Map<Path, Integer> bundles() throws IOException {
    Map<Path, Integer> bundles = new java.util.LinkedHashMap<>();
    String system = System.getProperty("bosun.it.system");
    if (system != null && !system.isBlank()) {
      try (Stream<Path> files = Files.walk(Path.of(system))) {
        files.filter(p -> p.toString().endsWith(".jar")).sorted(Comparator.comparing(Path::toString))
            .forEach(p -> bundles.put(p, Integer.parseInt(p.getParent().getFileName().toString())));
      }
    } else {
      for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
        Path p = Path.of(entry);
        String name = p.getFileName().toString();
        MINIMAL.entrySet().stream()
            .filter(m -> name.startsWith(m.getKey()) && name.substring(m.getKey().length()).matches("\\d.*\\.jar"))
            .findFirst().ifPresent(m -> bundles.put(p, m.getValue()));
      }
      assertThat(bundles).as("bundles found on the test class path").hasSize(MINIMAL.size());
    }
    bundles.put(Path.of(System.getProperty("bosun.it.bundle", "target/bosun-store-etcd.jar")), 3);
    return bundles;
  }

  private Bundle bundle(String symbolicName) {
    for (Bundle b : framework.getBundleContext().getBundles()) {
      if (symbolicName.equals(b.getSymbolicName())) {
        return b;
      }
    }
    throw new AssertionError("no bundle " + symbolicName);
  }

  /** Creates or replaces the configuration {@code pid} through ConfigAdmin (null properties: delete it). */
  private void configure(String pid, Dictionary<String, Object> properties) throws Exception {
    BundleContext context = framework.getBundleContext();
    ServiceReference<?> ref = awaitService("org.osgi.service.cm.ConfigurationAdmin", null);
    Object admin = context.getService(ref);
    Class<?> adminType = ref.getBundle().loadClass("org.osgi.service.cm.ConfigurationAdmin");
    Class<?> configurationType = ref.getBundle().loadClass("org.osgi.service.cm.Configuration");
    Object configuration = adminType.getMethod("getConfiguration", String.class, String.class).invoke(admin, pid, "?");
    if (properties == null) {
      configurationType.getMethod("delete").invoke(configuration);
    } else {
      configurationType.getMethod("update", Dictionary.class).invoke(configuration, properties);
    }
  }

  /**
   * Waits for a service. All references, not only those "assignable" to the system bundle: the test
   * class path holds other copies of the API packages, which would hide the services otherwise.
   */
  private ServiceReference<?> awaitService(String type, String filter) {
    BundleContext context = framework.getBundleContext();
    ServiceReference<?>[] found = new ServiceReference<?>[1];
    Await.until(Duration.ofSeconds(60), () -> "service " + type + " " + filter, () -> {
      try {
        ServiceReference<?>[] refs = context.getAllServiceReferences(type, filter);
        found[0] = refs == null ? null : refs[0];
        return found[0] != null;
      } catch (org.osgi.framework.InvalidSyntaxException e) {
        throw new IllegalStateException(e);
      }
    });
    return found[0];
  }

  private Object awaitStore() {
    return framework.getBundleContext().getService(awaitService("io.bosun.store.spi.KeyValueStore", STORE_FILTER));
  }

  private boolean storeRegistered() throws Exception {
    return framework.getBundleContext().getAllServiceReferences("io.bosun.store.spi.KeyValueStore", STORE_FILTER)
        != null;
  }

  private static Object call(Class<?> type, Object target, String method, Object... args) throws Exception {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(method) && m.getParameterCount() == args.length) {
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(method);
  }

  private static List<String> storeThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> STORE_THREADS.matcher(n).matches()).sorted().toList();
  }

  @Test
  void resolvesStaysInactiveUntilConfiguredThenWritesReadsAndWatchesEtcd() throws Exception {
    Bundle etcdBundle = bundle("io.bosun.store.etcd");
    Bundle spi = bundle("io.bosun.store.spi");
    // Nothing of the embedded libraries is wired from outside (no io.grpc, io.netty imports).
    List<String> wired = etcdBundle.adapt(BundleWiring.class).getRequiredWires("osgi.wiring.package").stream()
        .map(w -> (String) w.getCapability().getAttributes().get("osgi.wiring.package")).toList();
    assertThat(wired).contains("io.bosun.store.spi", "org.slf4j").noneMatch(p -> p.startsWith("io.grpc")
        || p.startsWith("io.netty") || p.startsWith("com.google") || p.startsWith("io.vertx"));
    assertThat(storeRegistered()).as("registered without configuration").isFalse();

    Hashtable<String, Object> props = new Hashtable<>();
    props.put("endpoints", new String[] {ETCD.etcd().endpoint()});
    props.put("keyPrefix", "/felix");
    configure(EtcdStoreComponent.PID, props);
    Object store = awaitStore();

    Class<?> kvs = spi.loadClass("io.bosun.store.spi.KeyValueStore");
    Class<?> listenerType = spi.loadClass("io.bosun.store.spi.WatchListener");
    Class<?> rangeType = spi.loadClass("io.bosun.store.spi.KeyRange");
    List<Object> events = new CopyOnWriteArrayList<>();
    List<Long> progress = new CopyOnWriteArrayList<>();
    Object listener = Proxy.newProxyInstance(spi.adapt(BundleWiring.class).getClassLoader(), new Class<?>[] {listenerType},
        (proxy, method, args) -> switch (method.getName()) {
          case "onEvents" -> events.addAll((List<?>) args[0]);
          case "onProgress" -> progress.add((Long) args[0]);
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> null;
        });
    Object range = rangeType.getMethod("prefix", String.class).invoke(null, "/felix-test/");
    Object watch = call(kvs, store, "watch", range, 0L, listener);

    Object created = call(kvs, store, "create", "/felix-test/a", "hello".getBytes(UTF_8), 0L);
    assertThat(call(created.getClass(), created, "succeeded")).isEqualTo(true);
    assertThat(call(created.getClass(), created, "revision")).isEqualTo(1L);
    Object kv = call(kvs, store, "get", "/felix-test/a");
    assertThat(new String((byte[]) call(kv.getClass(), kv, "value"), UTF_8)).isEqualTo("hello");
    Await.until("the watch event inside Felix", () -> events.size() == 1);
    call(watch.getClass().getInterfaces()[0], watch, "requestProgress");
    Await.until("a progress notification", () -> progress.contains(1L));
    Map<?, ?> status = (Map<?, ?>) call(kvs, store, "status");
    assertThat(status.get("backend")).isEqualTo("etcd");
    assertThat(status.get("watchScope")).isEqualTo("keyspace");

    // A new configuration reconnects; the data is etcd's.
    props.put("requestTimeoutSeconds", 20L);
    configure(EtcdStoreComponent.PID, props);
    Await.until(Duration.ofSeconds(60), () -> "the store to come back", () -> {
      try {
        Object s = awaitStore();
        return s != store && call(kvs, s, "get", "/felix-test/a") != null;
      } catch (Exception e) {
        return false;
      }
    });

    // Stopping the bundle deactivates the component: every thread of the store and its libraries ends.
    etcdBundle.stop();
    assertThat(storeRegistered()).isFalse();
    Await.until(Duration.ofSeconds(2), () -> "store threads to end: " + storeThreads(), () -> storeThreads().isEmpty());

    etcdBundle.start();
    Object again = awaitStore();
    Object second = call(kvs, again, "create", "/felix-test/b", "again".getBytes(UTF_8), 0L);
    assertThat(call(second.getClass(), second, "revision")).isEqualTo(2L);

    configure(EtcdStoreComponent.PID, null);
    Await.until("the service to go with its configuration", () -> {
      try {
        return !storeRegistered();
      } catch (Exception e) {
        return false;
      }
    });
    Await.until(Duration.ofSeconds(2), () -> "store threads to end: " + storeThreads(), () -> storeThreads().isEmpty());
  }
}

package io.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;

/**
 * Boots one runtime: an embedded Felix with the runtime's system bundles, configured for one
 * instance directory. Blocks until the framework stops.
 *
 * <p>Runtime directory: {@code system/<startlevel>/*.jar} (the system bundles, started in that
 * order), {@code conf/framework.properties} (framework properties; {@code ${name}} refers to the
 * launch properties below and to system properties), {@code etc/} (the default configuration,
 * copied to a new instance).
 *
 * <p>Instance directory: {@code etc/} (watched by FileInstall; {@code etc/system.properties} is
 * read once at start), {@code plugins/} (hot-deployed bundles), {@code data/} and {@code cache/}
 * (the framework cache, wiped on every start so system bundles come fresh from the runtime).
 */
final class Launcher {

    static final int DEFAULT_PORT = 6443;
    /** Generous: a healthy boot takes a few seconds; this only bounds a hung activator. */
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    private final Options options;
    private final Log log = new Log("io.bosun.launcher");
    private final long startNanos = System.nanoTime();

    Launcher(Options options) {
        this.options = options;
    }

    /** Returns the process exit code. */
    int run() {
        try {
            return launch();
        } catch (LaunchException e) {
            log.error(e.getMessage());
            return 1;
        }
    }

    private record SystemBundle(Path jar, int startLevel) {
    }

    private int launch() throws LaunchException {
        Path runtime = options.runtime();
        Path instance = options.instance();
        if (!Files.isDirectory(runtime.resolve("system"))) {
            throw new LaunchException("Not a runtime directory (no system/ folder): " + runtime);
        }
        Path etc = instance.resolve("etc");
        Path data = options.dataDir().orElse(instance.resolve("data"));
        seedConfiguration(runtime.resolve("etc"), etc);
        createDirectories(instance.resolve("plugins"), data);

        Map<String, String> launch = new HashMap<>();
        launch.put("bosun.home", runtime.toString());
        launch.put("bosun.instance", instance.toString());
        launch.put("bosun.data", data.toString());
        launch.put("bosun.apiserver.port", Integer.toString(options.port().orElse(DEFAULT_PORT)));
        launch.put("bosun.name", options.name().orElseGet(Launcher::hostName));

        // JVM-wide settings such as log levels; a -D on the command line wins.
        resolve(etc.resolve("system.properties"), launch).forEach(System.getProperties()::putIfAbsent);

        List<SystemBundle> systemBundles = scanSystemBundles(runtime.resolve("system"));
        // Bundles installed later (plugins/) start after every system bundle.
        int activeLevel = systemBundles.stream().mapToInt(SystemBundle::startLevel).max().orElse(1) + 1;

        Map<String, Object> config = new HashMap<>();
        resolve(runtime.resolve("conf/framework.properties"), launch).forEach(config::put);
        config.putAll(launch);
        config.putIfAbsent("bosun.runtime", runtime.getFileName().toString().replaceFirst("^bosun-", ""));
        config.put(Constants.FRAMEWORK_STORAGE, instance.resolve("cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
        config.putIfAbsent("felix.startlevel.bundle", Integer.toString(activeLevel));
        config.putIfAbsent("felix.log.level", "2");
        config.put("felix.log.logger", new Log.Framework());

        Felix framework = new Felix(config);
        Map<Long, Throwable> startErrors = new ConcurrentHashMap<>();
        List<Bundle> installed;
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            context.addFrameworkListener(event -> {
                if (event.getType() == FrameworkEvent.ERROR && event.getBundle() != null) {
                    startErrors.putIfAbsent(event.getBundle().getBundleId(), event.getThrowable());
                }
            });
            installed = install(context, systemBundles);
        } catch (BundleException e) {
            throw new LaunchException("Cannot initialise the framework: " + e.getMessage(), e);
        }

        AtomicBoolean stopping = new AtomicBoolean();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(framework, stopping), "bosun-shutdown"));

        try {
            framework.start();
        } catch (BundleException e) {
            throw new LaunchException("Cannot start the framework: " + e.getMessage(), e);
        }
        if (!raiseStartLevel(framework, activeLevel)) {
            if (!stopping.get()) {
                log.error("The system bundles did not start within " + BOOT_TIMEOUT.toSeconds() + " s");
                stop(framework, stopping);
                return 1;
            }
            return awaitStop(framework);
        }

        List<String> problems = checkStarted(framework, installed, systemBundles, startErrors);
        if (!problems.isEmpty()) {
            log.error(problems.size() + " system bundle(s) of " + runtime + " did not start:\n" + String.join("\n", problems));
            stop(framework, stopping);
            return 1;
        }

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        log.info("Bosun " + config.get("bosun.runtime") + " started in " + millis + " ms: "
                + installed.size() + " system bundles, instance " + instance + ", data " + data + ", API port "
                + launch.get("bosun.apiserver.port"));
        return awaitStop(framework);
    }

    private int awaitStop(Framework framework) {
        try {
            FrameworkEvent event = framework.waitForStop(0);
            return event.getType() == FrameworkEvent.ERROR ? 1 : 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        }
    }

    /** Stops the framework so bundles deactivate; bounded so a stuck bundle cannot hang the exit. */
    private void stop(Framework framework, AtomicBoolean stopping) {
        if (!stopping.compareAndSet(false, true) || (framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) == 0) {
            return;
        }
        long t0 = System.nanoTime();
        log.info("Stopping");
        try {
            framework.stop();
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                log.warn("The framework did not stop within " + STOP_TIMEOUT.toSeconds() + " s; exiting anyway");
            } else {
                log.info("Stopped in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) + " ms");
            }
        } catch (BundleException e) {
            log.error("Stopping the framework failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Moves the framework to the given start level; false if it timed out or the framework stopped meanwhile. */
    private boolean raiseStartLevel(Framework framework, int level) {
        CountDownLatch reached = new CountDownLatch(1);
        framework.adapt(FrameworkStartLevel.class).setStartLevel(level, event -> reached.countDown());
        long deadline = System.nanoTime() + BOOT_TIMEOUT.toNanos();
        try {
            while (!reached.await(100, TimeUnit.MILLISECONDS)) {
                if (framework.getState() != Bundle.ACTIVE || System.nanoTime() > deadline) {
                    return false;
                }
            }
            return framework.getState() == Bundle.ACTIVE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private List<Bundle> install(BundleContext context, List<SystemBundle> systemBundles) throws LaunchException {
        List<Bundle> bundles = new ArrayList<>();
        for (SystemBundle systemBundle : systemBundles) {
            Bundle bundle;
            try (InputStream in = Files.newInputStream(systemBundle.jar())) {
                bundle = context.installBundle(systemBundle.jar().toUri().toString(), in);
            } catch (BundleException | IOException e) {
                throw new LaunchException("Cannot install " + systemBundle.jar() + ": " + e.getMessage(), e);
            }
            bundle.adapt(BundleStartLevel.class).setStartLevel(systemBundle.startLevel());
            if (!isFragment(bundle)) {
                try {
                    // Persistent start: takes effect when the framework reaches the bundle's level.
                    bundle.start();
                } catch (BundleException e) {
                    throw new LaunchException("Cannot mark " + systemBundle.jar() + " for start: " + e.getMessage(), e);
                }
            }
            bundles.add(bundle);
        }
        return bundles;
    }

    /** One line per system bundle that is not ACTIVE (fragments: RESOLVED), with the reason. */
    private List<String> checkStarted(Framework framework, List<Bundle> installed, List<SystemBundle> systemBundles,
            Map<Long, Throwable> startErrors) {
        FrameworkWiring wiring = framework.adapt(FrameworkWiring.class);
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < installed.size(); i++) {
            Bundle bundle = installed.get(i);
            boolean fragment = isFragment(bundle);
            int state = bundle.getState();
            boolean lazy = Constants.ACTIVATION_LAZY.equals(bundle.getHeaders("").get(Constants.BUNDLE_ACTIVATIONPOLICY));
            boolean ok = fragment ? state == Bundle.RESOLVED
                    : state == Bundle.ACTIVE || (lazy && state == Bundle.STARTING);
            if (ok) {
                continue;
            }
            StringBuilder line = new StringBuilder("  ").append(bundle.getSymbolicName()).append(' ')
                    .append(bundle.getVersion()).append(" (").append(systemBundles.get(i).jar().getFileName())
                    .append("): ").append(stateName(state));
            Throwable error = startErrors.get(bundle.getBundleId());
            if (error == null && !fragment) {
                try {
                    // Starting again yields the framework's own account of what is missing.
                    bundle.start(Bundle.START_TRANSIENT);
                } catch (BundleException e) {
                    error = e;
                }
            }
            if (error != null) {
                line.append("\n    ").append(error.getMessage());
                if (error.getCause() != null && !(error instanceof BundleException be
                        && be.getType() == BundleException.RESOLVE_ERROR)) {
                    line.append("\n    caused by ").append(error.getCause());
                }
            }
            if (state == Bundle.INSTALLED) {
                for (BundleRequirement requirement : bundle.adapt(BundleRevision.class).getDeclaredRequirements(null)) {
                    if (!isOptional(requirement) && wiring.findProviders(requirement).isEmpty()) {
                        line.append("\n    unresolved requirement: ").append(requirement.getNamespace()).append("; ")
                                .append(requirement.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, ""));
                    }
                }
            }
            problems.add(line.toString());
        }
        return problems;
    }

    private static boolean isOptional(BundleRequirement requirement) {
        Map<String, String> directives = requirement.getDirectives();
        return Namespace.RESOLUTION_OPTIONAL.equals(directives.get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE))
                || !Namespace.EFFECTIVE_RESOLVE.equals(
                        directives.getOrDefault(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE, Namespace.EFFECTIVE_RESOLVE));
    }

    private static boolean isFragment(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        return revision != null && (revision.getTypes() & BundleRevision.TYPE_FRAGMENT) != 0;
    }

    private static String stateName(int state) {
        return switch (state) {
            case Bundle.INSTALLED -> "INSTALLED (not resolved)";
            case Bundle.RESOLVED -> "RESOLVED (not started)";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "UNINSTALLED";
        };
    }

    /** system/N/*.jar, ordered by start level then file name; every jar must be an OSGi bundle. */
    private List<SystemBundle> scanSystemBundles(Path system) throws LaunchException {
        List<SystemBundle> bundles = new ArrayList<>();
        List<String> notBundles = new ArrayList<>();
        try (Stream<Path> levels = Files.list(system)) {
            for (Path level : levels.filter(Files::isDirectory).toList()) {
                int startLevel;
                try {
                    startLevel = Integer.parseInt(level.getFileName().toString());
                } catch (NumberFormatException e) {
                    throw new LaunchException("system/ may hold only start level folders (1, 2, ...): " + level);
                }
                if (startLevel < 1) {
                    throw new LaunchException("Start levels begin at 1: " + level);
                }
                try (Stream<Path> jars = Files.list(level)) {
                    for (Path jar : jars.filter(p -> p.getFileName().toString().endsWith(".jar")).toList()) {
                        if (symbolicName(jar) == null) {
                            notBundles.add(jar.toString());
                        }
                        bundles.add(new SystemBundle(jar, startLevel));
                    }
                }
            }
        } catch (IOException e) {
            throw new LaunchException("Cannot list the system bundles in " + system + ": " + e, e);
        }
        if (!notBundles.isEmpty()) {
            throw new LaunchException("Not OSGi bundles (no Bundle-SymbolicName), remove them from the feature:\n  "
                    + String.join("\n  ", notBundles));
        }
        if (bundles.isEmpty()) {
            throw new LaunchException("No system bundles in " + system);
        }
        bundles.sort(Comparator.comparingInt(SystemBundle::startLevel)
                .thenComparing(b -> b.jar().getFileName().toString()));
        return bundles;
    }

    private static String symbolicName(Path jar) throws LaunchException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() == null ? null
                    : file.getManifest().getMainAttributes().getValue(Constants.BUNDLE_SYMBOLICNAME);
        } catch (IOException e) {
            throw new LaunchException("Cannot read " + jar + ": " + e.getMessage(), e);
        }
    }

    /** A new instance gets a copy of the runtime's default configuration; an existing one is left alone. */
    private void seedConfiguration(Path defaults, Path etc) throws LaunchException {
        if (Files.exists(etc)) {
            return;
        }
        try {
            Files.createDirectories(etc);
            if (Files.isDirectory(defaults)) {
                try (Stream<Path> files = Files.walk(defaults)) {
                    for (Path source : files.toList()) {
                        Path target = etc.resolve(defaults.relativize(source).toString());
                        if (Files.isDirectory(source)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
                        }
                    }
                }
            }
            log.info("Created " + etc + " from the runtime defaults");
        } catch (IOException e) {
            throw new LaunchException("Cannot create " + etc + ": " + e, e);
        }
    }

    private static void createDirectories(Path... dirs) throws LaunchException {
        for (Path dir : dirs) {
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new LaunchException("Cannot create " + dir + ": " + e, e);
            }
        }
    }

    /** Reads a properties file, replacing ${name} by a launch property or a system property. */
    private static Map<String, String> resolve(Path file, Map<String, String> launch) throws LaunchException {
        Properties properties = load(file);
        Map<String, String> result = new HashMap<>();
        for (String key : properties.stringPropertyNames()) {
            Matcher m = VARIABLE.matcher(properties.getProperty(key));
            StringBuilder value = new StringBuilder();
            while (m.find()) {
                String name = m.group(1);
                String replacement = launch.getOrDefault(name, System.getProperty(name));
                if (replacement == null) {
                    throw new LaunchException(file + ": " + key + " refers to an unknown property ${" + name + "}");
                }
                m.appendReplacement(value, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(value);
            result.put(key, value.toString());
        }
        return result;
    }

    private static Properties load(Path file) throws LaunchException {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new LaunchException("Cannot read " + file + ": " + e, e);
            }
        }
        return properties;
    }

    /** Avoids InetAddress.getLocalHost(), which can stall on a misconfigured resolver. */
    private static String hostName() {
        String name = null;
        try {
            Path kernel = Path.of("/proc/sys/kernel/hostname");
            if (Files.isReadable(kernel)) {
                name = Files.readString(kernel).trim();
            }
        } catch (IOException e) {
            // fall through
        }
        if (name == null || name.isEmpty()) {
            name = System.getenv("HOSTNAME");
        }
        if (name == null || name.isEmpty()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        return name.toLowerCase(Locale.ROOT);
    }

    static final class LaunchException extends Exception {
        LaunchException(String message) {
            super(message);
        }

        LaunchException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

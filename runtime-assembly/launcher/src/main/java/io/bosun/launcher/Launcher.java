package io.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import io.bosun.launcher.RuntimeLayout.SystemBundle;

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

    private final Options options;
    private final Log log = new Log("io.bosun.launcher");
    private final long startNanos = System.nanoTime();
    /** Held open for the life of the process: the instance lock. */
    private FileChannel instanceLock;

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

    private int launch() throws LaunchException {
        RuntimeLayout runtime = RuntimeLayout.of(options.runtime());
        Path instance = options.instance();
        lockInstance(instance);
        Path etc = instance.resolve("etc");
        Path data = options.dataDir().orElse(instance.resolve("data"));
        if (runtime.seedConfiguration(etc)) {
            log.info("Created " + etc + " from the runtime defaults");
        }
        createDirectories(instance.resolve("plugins"), data);
        // Before the framework starts, so FileInstall's first scan already sees the chosen store.
        options.store().apply(etc, log);

        Map<String, String> launch = runtime.launchProperties(instance, data, options.port().orElse(DEFAULT_PORT),
                options.name().orElseGet(Launcher::hostName));
        // Always defined, so etc/io.bosun.client.cfg can say server = ${bosun.server}.
        launch.put(RuntimeLayout.SERVER, options.server().orElse(""));
        launch.put(RuntimeLayout.NODE_RUNTIME, options.nodeRuntime().orElse(""));
        if (options.server().isPresent()) {
            ensureClientConfiguration(etc);
        }
        // JVM-wide settings such as log levels; a -D on the command line wins.
        RuntimeLayout.resolve(etc.resolve("system.properties"), launch).forEach(System.getProperties()::putIfAbsent);

        List<SystemBundle> systemBundles = runtime.systemBundles();
        int activeLevel = RuntimeLayout.activeStartLevel(systemBundles);

        Map<String, Object> config = new HashMap<>(runtime.frameworkProperties(launch));
        config.putAll(launch);
        config.putIfAbsent(RuntimeLayout.RUNTIME, runtime.dir().getFileName().toString().replaceFirst("^bosun-", ""));
        config.put(Constants.FRAMEWORK_STORAGE, instance.resolve("cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, "1");
        // Bundles installed later (plugins/) start after every system bundle.
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
            log.error(problems.size() + " system bundle(s) of " + runtime.dir() + " did not start:\n"
                    + String.join("\n", problems));
            stop(framework, stopping);
            return 1;
        }

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        log.info("Bosun " + config.get(RuntimeLayout.RUNTIME) + " started in " + millis + " ms: " + installed.size()
                + " system bundles, instance " + instance + ", data " + data + ", API port "
                + launch.get(RuntimeLayout.APISERVER_PORT));
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

    /**
     * One process per instance: a second one would wipe the first one's framework cache and share
     * its data. The lock lives as long as this process (the channel is never closed).
     */
    private void lockInstance(Path instance) throws LaunchException {
        Path lockFile = instance.resolve(".lock");
        try {
            Files.createDirectories(instance);
            instanceLock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            if (instanceLock.tryLock() == null) {
                String holder = Files.readString(lockFile).trim();
                throw new LaunchException("Instance " + instance + " is in use by another process"
                        + (holder.isEmpty() ? "" : " (pid " + holder + ")"));
            }
            instanceLock.truncate(0);
            instanceLock.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)));
        } catch (IOException e) {
            throw new LaunchException("Cannot lock " + lockFile + ": " + e, e);
        }
    }

    /**
     * An instance made before the runtime shipped etc/io.bosun.client.cfg lacks it; without it
     * {@code --server} would not reach the API client.
     */
    private void ensureClientConfiguration(Path etc) throws LaunchException {
        Path cfg = etc.resolve("io.bosun.client.cfg");
        if (Files.exists(cfg)) {
            return;
        }
        try {
            Files.writeString(cfg, "# The API server this runtime's components talk to (--server); empty: the local one.\n"
                    + "server = ${" + RuntimeLayout.SERVER + "}\n");
            log.info("Created " + cfg);
        } catch (IOException e) {
            throw new LaunchException("Cannot create " + cfg + ": " + e, e);
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
}

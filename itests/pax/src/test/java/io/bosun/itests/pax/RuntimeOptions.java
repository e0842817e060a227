package io.bosun.itests.pax;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;

import io.bosun.launcher.LaunchException;
import io.bosun.launcher.RuntimeLayout;
import io.bosun.launcher.RuntimeLayout.SystemBundle;

/**
 * Pax Exam options that reproduce a launch of the assembled runtime: its system bundles at their
 * start levels and the framework and system properties the launcher would set, read with the
 * launcher's own {@link RuntimeLayout} so the test cannot drift from {@code ./bosun up}.
 * Host side only (the launcher's classes are not inside the framework).
 */
final class RuntimeOptions {

    /** Framework property listing the runtime's bundle symbolic names, for the checks inside the framework. */
    static final String SYSTEM_BUNDLES = "bosun.itest.system.bundles";

    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();

    private RuntimeOptions() {
    }

    /** The runtime in system property bosun.runtime.dir, a fresh instance under bosun.itest.instance. */
    static Option[] fromSystemProperties() {
        try {
            RuntimeLayout runtime = RuntimeLayout.of(Path.of(required("bosun.runtime.dir")));
            // One instance per test class: Pax Exam may build every class's options before the first
            // runs, so a shared folder would hand one class the store (Leases, status) of the one before.
            Path instance = Path.of(required("bosun.itest.instance")).toAbsolutePath()
                    .resolve("run-" + INSTANCES.incrementAndGet());
            deleteTree(instance);
            Path etc = instance.resolve("etc");
            runtime.seedConfiguration(etc);
            Files.createDirectories(instance.resolve("plugins"));
            Path data = Files.createDirectories(instance.resolve("data"));

            Map<String, String> launch = runtime.launchProperties(instance, data, freePort(), "itest");
            List<SystemBundle> systemBundles = runtime.systemBundles();
            List<Option> options = new ArrayList<>();
            RuntimeLayout.resolve(etc.resolve("system.properties"), launch)
                    .forEach((k, v) -> options.add(systemProperty(k).value(v)));
            runtime.frameworkProperties(launch).forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
            launch.forEach((k, v) -> options.add(frameworkProperty(k).value(v)));
            options.add(frameworkProperty("felix.startlevel.bundle")
                    .value(Integer.toString(testLevel(RuntimeLayout.activeStartLevel(systemBundles)))));
            options.add(frameworkProperty(SYSTEM_BUNDLES).value(systemBundles.stream()
                    .map(SystemBundle::symbolicName).collect(Collectors.joining(","))));
            for (SystemBundle b : systemBundles) {
                options.add(bundle(b.jar().toUri().toString()).startLevel(testLevel(b.startLevel()))
                        .start(!b.fragment()));
            }
            return options.toArray(Option[]::new);
        } catch (LaunchException | IOException e) {
            throw new IllegalStateException("Cannot read the runtime: " + e.getMessage(), e);
        }
    }

    /**
     * Pax Exam starts its own bundles at level 2 and they log at once, so the runtime's levels 1
     * (SPI Fly) and 2 (slf4j + provider) both start at level 1 here (in that order: install
     * order) and every later level moves down by one, keeping the runtime's order.
     */
    private static int testLevel(int runtimeLevel) {
        return Math.max(1, runtimeLevel - 1);
    }

    private static String required(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("System property " + name + " is not set (run through Maven)");
        }
        return value;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}

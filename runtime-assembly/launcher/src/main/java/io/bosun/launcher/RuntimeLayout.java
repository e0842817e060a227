package io.bosun.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a runtime directory holds, read the way the launcher reads it. Public so that tests boot
 * exactly the bundles, start levels and properties a real start uses (itests/pax).
 *
 * <pre>
 * system/N/*.jar             system bundles; N (1, 2, ...) is the start level
 * conf/framework.properties  framework properties; ${name} = a launch or system property
 * etc/                       default configuration, copied into a new instance
 * </pre>
 */
public final class RuntimeLayout {

    /** Launch properties: framework properties every runtime gets, usable as ${name} in its files. */
    public static final String HOME = "bosun.home";
    public static final String INSTANCE = "bosun.instance";
    public static final String DATA = "bosun.data";
    public static final String APISERVER_PORT = "bosun.apiserver.port";
    public static final String NAME = "bosun.name";
    /** The API server the runtime's components use ({@code --server}); "" for the local one. */
    public static final String SERVER = "bosun.server";
    /** The kubelet's container runtime ({@code --node-runtime}); "" for its default. */
    public static final String NODE_RUNTIME = "bosun.node.runtime";
    /** Set by conf/framework.properties: control-plane, node or all-in-one. */
    public static final String RUNTIME = "bosun.runtime";

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");

    /**
     * A system bundle.
     *
     * @param jar          the bundle file
     * @param startLevel   its start level (from the folder name)
     * @param symbolicName its Bundle-SymbolicName (without directives)
     * @param fragment     whether it is a fragment (resolved, never started)
     */
    public record SystemBundle(Path jar, int startLevel, String symbolicName, boolean fragment) {
    }

    private final Path dir;

    private RuntimeLayout(Path dir) {
        this.dir = dir;
    }

    /** The runtime at {@code dir}; fails if it has no system/ folder. */
    public static RuntimeLayout of(Path dir) throws LaunchException {
        Path absolute = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(absolute.resolve("system"))) {
            throw new LaunchException("Not a runtime directory (no system/ folder): " + absolute);
        }
        return new RuntimeLayout(absolute);
    }

    public Path dir() {
        return dir;
    }

    /**
     * The launch properties for one instance: {@link #HOME}, {@link #INSTANCE}, {@link #DATA},
     * {@link #APISERVER_PORT}, {@link #NAME}.
     */
    public Map<String, String> launchProperties(Path instance, Path data, int port, String name) {
        Map<String, String> launch = new HashMap<>();
        launch.put(HOME, dir.toString());
        launch.put(INSTANCE, instance.toAbsolutePath().normalize().toString());
        launch.put(DATA, data.toAbsolutePath().normalize().toString());
        launch.put(APISERVER_PORT, Integer.toString(port));
        launch.put(NAME, name);
        return launch;
    }

    /** conf/framework.properties resolved against the launch properties (which it does not contain). */
    public Map<String, String> frameworkProperties(Map<String, String> launch) throws LaunchException {
        return resolve(dir.resolve("conf/framework.properties"), launch);
    }

    /** system/N/*.jar ordered by start level then file name. Every jar must be an OSGi bundle. */
    public List<SystemBundle> systemBundles() throws LaunchException {
        Path system = dir.resolve("system");
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
                        Attributes manifest = manifest(jar);
                        String symbolicName = manifest == null ? null : manifest.getValue("Bundle-SymbolicName");
                        if (symbolicName == null) {
                            notBundles.add(jar.toString());
                        } else {
                            bundles.add(new SystemBundle(jar, startLevel, symbolicName.split(";")[0].trim(),
                                    manifest.getValue("Fragment-Host") != null));
                        }
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

    /** The level bundles installed later (plugins/) start at: after every system bundle. */
    public static int activeStartLevel(List<SystemBundle> bundles) {
        return bundles.stream().mapToInt(SystemBundle::startLevel).max().orElse(1) + 1;
    }

    /**
     * Gives a new instance a copy of the runtime's default etc/; leaves an existing etc/ alone.
     *
     * @return whether etc/ was created
     */
    public boolean seedConfiguration(Path etc) throws LaunchException {
        if (Files.exists(etc)) {
            return false;
        }
        Path defaults = dir.resolve("etc");
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
            return true;
        } catch (IOException e) {
            throw new LaunchException("Cannot create " + etc + ": " + e, e);
        }
    }

    /**
     * Reads a properties file (absent: empty), replacing each ${name} by a launch property or else
     * a system property; an unknown name is an error rather than a silent empty string.
     */
    public static Map<String, String> resolve(Path file, Map<String, String> launch) throws LaunchException {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new LaunchException("Cannot read " + file + ": " + e, e);
            }
        }
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

    private static Attributes manifest(Path jar) throws LaunchException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return file.getManifest() == null ? null : file.getManifest().getMainAttributes();
        } catch (IOException e) {
            throw new LaunchException("Cannot read " + jar + ": " + e.getMessage(), e);
        }
    }
}

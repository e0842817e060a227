package io.bosun.itests.pax;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Test;

import io.bosun.launcher.RuntimeLayout;

/**
 * The launcher as ./bosun runs it: a separate JVM on the assembled runtime. Covers what Pax Exam
 * cannot: the boot report, SIGTERM stopping the framework, the exit code of a broken runtime.
 */
public class LauncherProcessTest {

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);

    private final Path runtime = Path.of(System.getProperty("bosun.runtime.dir"));
    private final Path work = Path.of(System.getProperty("bosun.itest.instance")).resolveSibling("process-test");
    private Process process;

    @After
    public void killLeftovers() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    public void bootsAnswersAndStopsOnSigterm() throws Exception {
        int port = freePort();
        Path log = work.resolve("launcher.log");
        process = launch(runtime, work.resolve("instance"), port, log);

        Await.until(BOOT_TIMEOUT, () -> {
            String output = read(log);
            if (!process.isAlive()) {
                throw new AssertionError("launcher exited with " + process.exitValue() + ":\n" + output);
            }
            return output.contains(" started in ") ? null : "no 'started' line yet:\n" + output;
        });

        // A second process on the same instance must refuse to start rather than wipe its cache.
        Path secondLog = work.resolve("second.log");
        Process second = start(runtime, work.resolve("instance"), freePort(), secondLog);
        assertTrue("a second launcher on the same instance kept running",
                second.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(read(secondLog), 1, second.exitValue());
        assertTrue(read(secondLog), read(secondLog).contains("is in use by another process"));

        if (RuntimeLayout.of(runtime).systemBundles().stream()
                .anyMatch(b -> AllInOneRuntimeTest.APISERVER_BUNDLE.equals(b.symbolicName()))) {
            URI readyz = URI.create("http://127.0.0.1:" + port + "/readyz");
            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            Await.until(BOOT_TIMEOUT, () -> {
                try {
                    int status = client.send(HttpRequest.newBuilder(readyz).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    return status == 200 ? null : "GET " + readyz + ": " + status;
                } catch (IOException e) {
                    return "GET " + readyz + ": " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return "interrupted";
                }
            });
        }

        process.destroy(); // SIGTERM
        assertTrue("no exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM:\n" + read(log),
                process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertTrue("the framework was not stopped cleanly:\n" + read(log), read(log).contains("Stopped in"));
    }

    @Test
    public void unresolvedSystemBundleFailsTheStartWithItsRequirements() throws Exception {
        // A copy of the runtime plus one bundle that imports a package nobody exports.
        Path broken = work.resolve("broken-runtime");
        copyTree(runtime, broken);
        Files.write(broken.resolve("system/2/itest-broken.jar"), TestBundles.manifestOnly("io.bosun.itest.broken",
                "1.0.0", Map.of("Import-Package", "io.bosun.itest.nowhere")));
        Path log = work.resolve("broken.log");
        process = launch(broken, work.resolve("broken-instance"), freePort(), log);

        assertTrue("a broken runtime kept running:\n" + read(log), process.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        String output = read(log);
        assertEquals("exit code; output:\n" + output, 1, process.exitValue());
        assertTrue(output, output.contains("io.bosun.itest.broken"));
        assertTrue(output, output.contains("unresolved requirement: osgi.wiring.package; (osgi.wiring.package=io.bosun.itest.nowhere)"));
    }

    @Test
    public void nonBundleJarInTheRuntimeIsRefused() throws Exception {
        Path broken = work.resolve("nonbundle-runtime");
        copyTree(runtime, broken);
        Files.copy(runtime.resolve("lib/bosun-launcher.jar"), broken.resolve("system/2/not-a-bundle.jar"));
        Path log = work.resolve("nonbundle.log");
        process = launch(broken, work.resolve("nonbundle-instance"), freePort(), log);

        assertTrue(process.waitFor(BOOT_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        String output = read(log);
        assertEquals("exit code; output:\n" + output, 1, process.exitValue());
        assertTrue(output, output.contains("Not OSGi bundles") && output.contains("not-a-bundle.jar"));
    }

    /** Starts the launcher on a fresh instance. */
    private Process launch(Path runtimeDir, Path instance, int port, Path log) throws IOException {
        deleteTree(instance);
        return start(runtimeDir, instance, port, log);
    }

    /** Same JVM flags as ./bosun gives this JDK. */
    private static Process start(Path runtimeDir, Path instance, int port, Path log) throws IOException {
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        int jdk = Runtime.version().feature();
        if (jdk >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        if (jdk >= 22) {
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(List.of("-jar", runtimeDir.resolve("lib/bosun-launcher.jar").toString(),
                "--runtime", runtimeDir.toString(), "--instance", instance.toString(),
                "--port", Integer.toString(port), "--name", "itest"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        deleteTree(to);
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}

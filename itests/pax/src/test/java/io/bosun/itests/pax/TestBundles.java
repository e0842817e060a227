package io.bosun.itests.pax;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/** Tiny bundles made on the fly, and files written so that FileInstall never sees them half done. */
final class TestBundles {

    private TestBundles() {
    }

    /** A bundle with nothing but a manifest: enough to be installed, resolved (or not), started, updated. */
    static byte[] manifestOnly(String symbolicName, String version, Map<String, String> headers) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.putValue("Bundle-ManifestVersion", "2");
        attributes.putValue("Bundle-SymbolicName", symbolicName);
        attributes.putValue("Bundle-Version", version);
        headers.forEach(attributes::putValue);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new JarOutputStream(bytes, manifest)) {
            // manifest only
        }
        return bytes.toByteArray();
    }

    /** Writes next to the target's folder, then renames: a watcher sees the whole file or nothing. */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        Path temp = Files.createTempFile(file.getParent().getParent(), "itest", ".tmp");
        Files.write(temp, content);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

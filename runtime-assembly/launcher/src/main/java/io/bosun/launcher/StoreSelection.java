package io.bosun.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which store the API server uses, as the launcher's {@code --store}, {@code --etcd-endpoints} and
 * {@code --etcd-prefix} ask. The choice is configuration, so it is written into the instance's
 * etc/ (and stays there for later starts without the options):
 * <ul>
 *   <li>{@code io.bosun.apiserver.cfg}: {@code store.target = (bosun.store.backend=<store>)}, the
 *       target filter of the API server's store reference;</li>
 *   <li>{@code io.bosun.store.etcd.cfg} (etcd): {@code endpoints} and {@code keyPrefix}, which
 *       configure, and so activate, the etcd store.</li>
 * </ul>
 * Only those keys are replaced; every other line of the files (TLS, auth, port, comments) is kept.
 *
 * @param store     {@code embedded} or {@code etcd}, if given
 * @param endpoints etcd client URLs, comma separated, if given
 * @param prefix    the etcd key prefix, if given
 */
record StoreSelection(Optional<String> store, Optional<String> endpoints, Optional<String> prefix) {

    static final String APISERVER_CFG = "io.bosun.apiserver.cfg";
    static final String ETCD_CFG = "io.bosun.store.etcd.cfg";
    private static final String TARGET_KEY = "store.target";

    StoreSelection {
        if (store.isPresent() && !store.get().equals("embedded") && !store.get().equals("etcd")) {
            throw new IllegalArgumentException("--store must be embedded or etcd: " + store.get());
        }
        if (store.filter("embedded"::equals).isPresent() && (endpoints.isPresent() || prefix.isPresent())) {
            throw new IllegalArgumentException("--etcd-endpoints and --etcd-prefix go with --store etcd");
        }
        for (String e : endpoints.map(s -> s.split(",")).orElse(new String[0])) {
            if (!e.strip().matches("https?://[^/\\s]+/?")) {
                throw new IllegalArgumentException("--etcd-endpoints takes http(s)://host:port URLs, comma separated: " + e);
            }
        }
        if (prefix.isPresent() && !prefix.get().startsWith("/")) {
            throw new IllegalArgumentException("--etcd-prefix must start with /: " + prefix.get());
        }
    }

    /** The store asked for: etcd when only etcd options are given. */
    Optional<String> effectiveStore() {
        return store.isPresent() ? store : endpoints.or(() -> prefix).map(x -> "etcd");
    }

    /**
     * Writes the choice into {@code etc}; without options only checks that an etcd configuration
     * is not left unused by mistake.
     */
    void apply(Path etc, Log log) throws LaunchException {
        Optional<String> chosen = effectiveStore();
        if (chosen.isEmpty()) {
            warnIfInconsistent(etc, log);
            return;
        }
        Path etcdCfg = etc.resolve(ETCD_CFG);
        if (chosen.get().equals("etcd")) {
            if (endpoints.isEmpty() && !Files.exists(etcdCfg)) {
                throw new LaunchException("--store etcd needs --etcd-endpoints (or an existing " + etcdCfg + ")");
            }
            Map<String, String> keys = new LinkedHashMap<>();
            endpoints.ifPresent(e -> keys.put("endpoints", e.replace(" ", "")));
            prefix.ifPresent(p -> keys.put("keyPrefix", p));
            if (!keys.isEmpty()) {
                setKeys(etcdCfg, keys, "# The etcd store (bundles/store-etcd/README.md); written by the launcher's --etcd-* options.");
            }
        }
        setKeys(etc.resolve(APISERVER_CFG), Map.of(TARGET_KEY, "(bosun.store.backend=" + chosen.get() + ")"),
                "# The API server (README: Configuration).");
        log.info("Store: " + chosen.get() + (chosen.get().equals("etcd")
                ? " (" + etcdCfg + ")" : "") + ", selected in " + etc.resolve(APISERVER_CFG));
    }

    /** A configured etcd store that the API server does not use is almost certainly a mistake. */
    private static void warnIfInconsistent(Path etc, Log log) throws LaunchException {
        if (!Files.exists(etc.resolve(ETCD_CFG))) {
            return;
        }
        String target = readKey(etc.resolve(APISERVER_CFG), TARGET_KEY).orElse("");
        if (!target.contains("etcd")) {
            log.warn(etc.resolve(ETCD_CFG) + " configures the etcd store, but the API server uses the embedded one: "
                    + "set store.target = (bosun.store.backend=etcd) in " + etc.resolve(APISERVER_CFG)
                    + " (or start with --store etcd)");
        }
    }

    private static Pattern keyLine(String key) {
        return Pattern.compile("^\\s*" + Pattern.quote(key) + "\\s*[=:\\s].*$");
    }

    static Optional<String> readKey(Path file, String key) throws LaunchException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            Pattern p = keyLine(key);
            return Files.readAllLines(file, StandardCharsets.UTF_8).stream().filter(l -> p.matcher(l).matches())
                    .map(l -> l.substring(l.indexOf(key) + key.length()).strip().replaceFirst("^[=:]\\s*", ""))
                    .reduce((first, second) -> second);
        } catch (IOException e) {
            throw new LaunchException("Cannot read " + file + ": " + e, e);
        }
    }

    /**
     * Sets {@code keys} in a .cfg file: a line of such a key is replaced (the first; later ones are
     * dropped), missing keys are appended. Written to a temporary file and moved into place, so
     * FileInstall, which watches etc/, never reads half a file.
     */
    static void setKeys(Path file, Map<String, String> keys, String header) throws LaunchException {
        try {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8)
                    : new ArrayList<>(List.of(header));
            List<String> out = new ArrayList<>();
            Map<String, String> pending = new LinkedHashMap<>(keys);
            for (String line : lines) {
                String replaced = null;
                boolean drop = false;
                for (String key : keys.keySet()) {
                    if (keyLine(key).matcher(line).matches()) {
                        if (pending.containsKey(key)) {
                            replaced = key + " = " + pending.remove(key);
                        } else {
                            drop = true;
                        }
                    }
                }
                if (!drop) {
                    out.add(replaced != null ? replaced : line);
                }
            }
            pending.forEach((k, v) -> out.add(k + " = " + v));
            if (out.equals(lines)) {
                return;
            }
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
            Files.write(tmp, out, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new LaunchException("Cannot write " + file + ": " + e, e);
        }
    }
}

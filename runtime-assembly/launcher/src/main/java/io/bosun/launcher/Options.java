package io.bosun.launcher;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Command line of the launcher.
 *
 * @param runtime  the runtime directory (system bundles, default etc/, conf/)
 * @param instance the instance directory (etc/, plugins/, data/, the framework cache)
 * @param port     the API server port, if given
 * @param dataDir  the data directory, if given (default: instance/data)
 * @param name     the instance name, if given (default: the host name)
 * @param server   the API server a node runtime joins, if given
 * @param nodeRuntime the kubelet's container runtime, if given
 * @param store    the store to select (--store, --etcd-endpoints, --etcd-prefix), written into etc/
 */
record Options(Path runtime, Path instance, Optional<Integer> port, Optional<Path> dataDir, Optional<String> name,
        Optional<String> server, Optional<String> nodeRuntime, StoreSelection store) {

    static final String USAGE = """
            usage: java -jar bosun-launcher.jar --runtime DIR --instance DIR [--port N] [--data-dir DIR] [--name NAME]
                                               [--server URL] [--node-runtime NAME]
                                               [--store embedded|etcd] [--etcd-endpoints URLS] [--etcd-prefix P]
              --runtime DIR    runtime directory: system/<startlevel>/*.jar, conf/, default etc/
              --instance DIR   instance directory: etc/ (live configuration), plugins/ (hot-deployed bundles), data/
              --port N         API server port (default 6443)
              --data-dir DIR   data directory (default INSTANCE/data)
              --name NAME      instance name (default: the host name); a node's name
              --server URL     the API server this runtime's components use (default: http://127.0.0.1:PORT)
              --node-runtime NAME  the kubelet's container runtime (default: process)
              --store NAME     the API server's store: embedded (default) or etcd; written into INSTANCE/etc, so it
                               stays selected (io.bosun.apiserver.cfg store.target)
              --etcd-endpoints URLS  etcd client URLs, comma separated (io.bosun.store.etcd.cfg endpoints); implies
                               --store etcd
              --etcd-prefix P  etcd key prefix (io.bosun.store.etcd.cfg keyPrefix, default /bosun)""";

    /** Parses the arguments; returns empty for --help. Throws IllegalArgumentException on bad input. */
    static Optional<Options> parse(String... args) {
        Path runtime = null;
        Path instance = null;
        Integer port = null;
        Path dataDir = null;
        String name = null;
        String server = null;
        String nodeRuntime = null;
        String store = null;
        String etcdEndpoints = null;
        String etcdPrefix = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            }
            switch (arg) {
                case "-h", "--help" -> {
                    return Optional.empty();
                }
                case "--runtime", "--instance", "--port", "--data-dir", "--name", "--server", "--node-runtime" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (arg) {
                        case "--runtime" -> runtime = Path.of(value);
                        case "--instance" -> instance = Path.of(value);
                        case "--port" -> port = parsePort(value);
                        case "--data-dir" -> dataDir = Path.of(value);
                        case "--server" -> server = parseServer(value);
                        case "--node-runtime" -> nodeRuntime = value;
                        default -> name = value;
                    }
                }
                case "--store", "--etcd-endpoints", "--etcd-prefix" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new IllegalArgumentException(arg + " needs a value");
                        }
                        value = args[++i];
                    }
                    switch (arg) {
                        case "--store" -> store = value;
                        case "--etcd-endpoints" -> etcdEndpoints = value;
                        default -> etcdPrefix = value;
                    }
                }
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (runtime == null) {
            throw new IllegalArgumentException("--runtime is required");
        }
        if (instance == null) {
            throw new IllegalArgumentException("--instance is required");
        }
        if (name != null && name.isBlank()) {
            throw new IllegalArgumentException("--name must not be blank");
        }
        if (nodeRuntime != null && !nodeRuntime.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("--node-runtime must be a runtime name such as process: " + nodeRuntime);
        }
        return Optional.of(new Options(runtime.toAbsolutePath().normalize(), instance.toAbsolutePath().normalize(),
                Optional.ofNullable(port), Optional.ofNullable(dataDir).map(p -> p.toAbsolutePath().normalize()),
                Optional.ofNullable(name), Optional.ofNullable(server), Optional.ofNullable(nodeRuntime),
                new StoreSelection(Optional.ofNullable(store), Optional.ofNullable(etcdEndpoints),
                        Optional.ofNullable(etcdPrefix))));
    }

    private static String parseServer(String value) {
        if (!value.matches("https?://[^/\\s]+/?")) {
            throw new IllegalArgumentException("--server must be an http(s) URL such as http://10.0.0.1:6443: " + value);
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--port must be a number from 0 to 65535: " + value);
    }
}

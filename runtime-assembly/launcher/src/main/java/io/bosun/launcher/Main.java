package io.bosun.launcher;

import java.util.Optional;

/** Entry point: {@code java -jar bosun-launcher.jar --runtime DIR --instance DIR ...}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        Optional<Options> options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bosun-launcher: " + e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.isEmpty()) {
            System.out.println(Options.USAGE);
            return;
        }
        // Exit explicitly: non-daemon threads left by bundles must not keep the JVM alive.
        System.exit(new Launcher(options.get()).run());
    }
}

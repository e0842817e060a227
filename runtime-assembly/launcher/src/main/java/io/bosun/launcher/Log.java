package io.bosun.launcher;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

import org.apache.felix.framework.Logger;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;

/**
 * Console output of the launcher and of the framework itself, in the same shape and on the same
 * stream (stderr) as the slf4j-simple and java.util.logging lines of the bundles (see
 * etc/system.properties), so one log reads as one. The launcher runs outside OSGi and cannot use
 * the slf4j inside the framework.
 */
final class Log {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx");

    private final String name;

    Log(String name) {
        this.name = name;
    }

    void info(String message) {
        print("INFO", message, null);
    }

    void warn(String message) {
        print("WARN", message, null);
    }

    void error(String message) {
        print("ERROR", message, null);
    }

    void error(String message, Throwable t) {
        print("ERROR", message, t);
    }

    private void print(String level, String message, Throwable t) {
        String line = OffsetDateTime.now().format(TIME) + " [" + Thread.currentThread().getName() + "] " + level + " "
                + name + " - " + message;
        synchronized (System.err) {
            System.err.println(line);
            if (t != null) {
                t.printStackTrace(System.err);
            }
        }
    }

    /** Routes the framework's own messages (given as felix.log.logger) through the same format. */
    static final class Framework extends Logger {
        private final Log log = new Log("org.apache.felix.framework");

        @Override
        protected void doLog(Bundle bundle, ServiceReference sr, int level, String msg, Throwable throwable) {
            String text = bundle == null ? msg : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]: " + msg;
            // A resolution failure's message says all there is; its stack trace is noise.
            Throwable trace = throwable instanceof BundleException ? null : throwable;
            if (throwable != null && trace == null) {
                text += ": " + throwable.getMessage();
            }
            switch (level) {
                case LOG_ERROR -> log.error(text, trace);
                case LOG_WARNING -> log.print("WARN", text, trace);
                default -> log.print(level == LOG_INFO ? "INFO" : "DEBUG", text, trace);
            }
        }
    }
}

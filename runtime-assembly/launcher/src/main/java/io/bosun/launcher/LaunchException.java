package io.bosun.launcher;

/** A runtime that cannot be launched; the message says why, for a person to read. */
public final class LaunchException extends Exception {

    private static final long serialVersionUID = 1L;

    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}

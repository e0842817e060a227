package io.bosun.cli;

/**
 * A failure to report to the user as one message, without a stack trace: what went wrong and,
 * where we know it, what to do about it. Exit code 1 unless given.
 */
public class CliException extends RuntimeException {

  private static final long serialVersionUID = 1L;
  private final int exitCode;

  public CliException(String message) {
    this(message, 1, null);
  }

  public CliException(String message, Throwable cause) {
    this(message, 1, cause);
  }

  public CliException(String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}

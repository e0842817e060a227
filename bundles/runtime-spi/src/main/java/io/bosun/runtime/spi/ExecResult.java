package io.bosun.runtime.spi;

/**
 * The outcome of {@link ExecService#execSync}.
 *
 * @param exitCode the command's exit code; -1 when it timed out
 * @param stdout   what it wrote to stdout (runtimes may cap this; upstream keeps 10 KiB for probes)
 * @param stderr   what it wrote to stderr
 * @param timedOut whether it was killed for running out of time
 */
public record ExecResult(int exitCode, byte[] stdout, byte[] stderr, boolean timedOut) {

  public ExecResult {
    stdout = stdout == null ? new byte[0] : stdout;
    stderr = stderr == null ? new byte[0] : stderr;
  }

  /** Whether the command ran to completion with exit code 0. */
  public boolean succeeded() {
    return !timedOut && exitCode == 0;
  }
}

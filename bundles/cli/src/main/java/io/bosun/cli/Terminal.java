package io.bosun.cli;

import java.io.PrintStream;
import java.util.Map;

/**
 * The user's output streams and what they can show: colours and a redrawn progress line only
 * when stdout is a terminal and {@code NO_COLOR} is not set, plain lines otherwise (pipes, files,
 * CI logs), so scripts never see escape codes.
 */
public final class Terminal {

  private static final String[] SPINNER = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

  private final PrintStream out;
  private final PrintStream err;
  private final boolean tty;
  private final boolean color;
  private String lastProgress;
  private boolean progressShown;
  private int tick;

  public Terminal(PrintStream out, PrintStream err, boolean tty, Map<String, String> env) {
    this.out = out;
    this.err = err;
    this.tty = tty;
    String noColor = env.get("NO_COLOR");
    this.color = tty && (noColor == null || noColor.isEmpty()) && !"dumb".equals(env.get("TERM"));
  }

  public PrintStream out() {
    return out;
  }

  public PrintStream err() {
    return err;
  }

  public boolean tty() {
    return tty;
  }

  public boolean color() {
    return color;
  }

  public String green(String s) {
    return paint("32", s);
  }

  public String red(String s) {
    return paint("31", s);
  }

  public String yellow(String s) {
    return paint("33", s);
  }

  public String bold(String s) {
    return paint("1", s);
  }

  public String dim(String s) {
    return paint("2", s);
  }

  /** Colours a status word by what it means: green for good, yellow for waiting, red for bad. */
  public String status(String s) {
    if (s == null) {
      return "";
    }
    return switch (s) {
      case "Running", "Active", "ACTIVE", "Ready", "True", "Succeeded", "Completed", "Bound", "Available" -> green(s);
      case "Pending", "ContainerCreating", "Terminating", "INSTALLED", "RESOLVED", "STARTING", "STOPPING",
          "SATISFIED", "Unknown", "NotReady", "Progressing" -> yellow(s);
      case "Failed", "Error", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "False", "FAILED_ACTIVATION",
          "UNSATISFIED_REFERENCE", "UNSATISFIED_CONFIGURATION", "UNINSTALLED", "DISABLED" -> red(s);
      default -> s;
    };
  }

  private String paint(String code, String s) {
    return color ? "\033[" + code + "m" + s + "\033[0m" : s;
  }

  /**
   * Shows where a wait stands. On a terminal one line is redrawn in place with a spinner; elsewhere
   * a line is printed only when the message changes, so logs stay short.
   */
  public synchronized void progress(String message) {
    if (tty) {
      out.print("\r\033[K" + (color ? "\033[36m" : "") + SPINNER[tick++ % SPINNER.length] + (color ? "\033[0m" : "")
          + " " + message);
      out.flush();
      progressShown = true;
    } else if (!message.equals(lastProgress)) {
      out.println(message);
    }
    lastProgress = message;
  }

  /** Ends a progress display with a final line (a check mark on a terminal). */
  public synchronized void done(String message, boolean ok) {
    if (tty) {
      out.print("\r\033[K");
      out.println((ok ? green("✓") : red("✗")) + " " + message);
    } else {
      out.println(message);
    }
    progressShown = false;
    lastProgress = null;
  }

  /** Clears a progress line before other output, so the two do not mix. */
  public synchronized void clearProgress() {
    if (tty && progressShown) {
      out.print("\r\033[K");
      out.flush();
      progressShown = false;
    }
  }
}

package io.bosun.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the real kubectl against a cluster, with its own HOME so its discovery cache is private. */
public final class Kubectl {

  /** The outcome of one kubectl run. */
  public record Result(int exit, String out, String err) {
    public Result ok() {
      if (exit != 0) {
        throw new AssertionError("kubectl failed with " + exit + "\nstdout:\n" + out + "\nstderr:\n" + err);
      }
      return this;
    }

    public List<String> lines() {
      return out.lines().toList();
    }
  }

  private final Path kubeconfig;
  private final Path home;

  Kubectl(Path kubeconfig, Path work) {
    this.kubeconfig = kubeconfig;
    this.home = work.resolve("home");
  }

  public Result run(String... args) throws IOException, InterruptedException {
    return run(null, Map.of(), args);
  }

  /** Runs kubectl with {@code stdin} (may be null) and extra environment. */
  public Result run(String stdin, Map<String, String> env, String... args) throws IOException, InterruptedException {
    Files.createDirectories(home);
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("KUBECONFIG");
    pb.environment().putAll(env);
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile());
    Process p = pb.start();
    try (var in = p.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
    }
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish in 120 s");
    }
    Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
    Files.delete(out);
    Files.delete(err);
    return r;
  }

  /** Starts kubectl in the background (for {@code get -w}); output goes to {@code out}. */
  public Process start(Path out, String... args) throws IOException {
    Files.createDirectories(home);
    List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
    pb.environment().put("HOME", home.toString());
    pb.environment().remove("KUBECONFIG");
    return pb.start();
  }
}

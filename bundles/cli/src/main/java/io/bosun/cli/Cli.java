package io.bosun.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.schema.ApiSchema;
import io.bosun.cli.config.Connection;
import io.bosun.cli.config.Kubeconfig;
import io.bosun.cli.http.Api;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * Everything one invocation of the CLI shares: its streams, environment, the global options
 * and, created on first use, the connection to the API server. Commands get it through their
 * constructor; there is no global state, so tests run many invocations in one JVM.
 */
public final class Cli implements AutoCloseable {

  /** The global options, set by picocli on the root command (inherited by every subcommand). */
  public static final class Options {
    public String kubeconfig;
    public String context;
    public String namespace;
    public String server;
    public Duration requestTimeout = Duration.ofSeconds(30);
    /** Whether --request-timeout was given: then it also ends watches (get -w), as in kubectl. */
    public boolean requestTimeoutGiven;
  }

  private final Terminal terminal;
  private final InputStream in;
  private final Map<String, String> env;
  private final Options options = new Options();
  private final ApiCodec codec = new ApiCodec();
  private Kinds kinds;
  private Connection connection;
  private Api api;

  public Cli(PrintStream out, PrintStream err, InputStream in, Map<String, String> env, boolean tty) {
    this.terminal = new Terminal(out, err, tty, env);
    this.in = in;
    this.env = env;
  }

  public Options options() {
    return options;
  }

  public Terminal term() {
    return terminal;
  }

  public PrintStream out() {
    return terminal.out();
  }

  public PrintStream err() {
    return terminal.err();
  }

  public InputStream in() {
    return in;
  }

  public Map<String, String> env() {
    return env;
  }

  public ApiCodec codec() {
    return codec;
  }

  public ObjectMapper mapper() {
    return codec.mapper();
  }

  public Kinds kinds() {
    if (kinds == null) {
      kinds = new Kinds(ApiSchema.load());
    }
    return kinds;
  }

  /** The kubeconfig context (or flags) in effect. */
  public Connection connection() {
    if (connection == null) {
      Kubeconfig k = Kubeconfig.load(Kubeconfig.locate(options.kubeconfig, env));
      Connection c = k.resolve(options.context, options.server);
      if (options.namespace != null && !options.namespace.isBlank()) {
        c = c.withNamespace(options.namespace);
      }
      connection = c;
    }
    return connection;
  }

  /** The namespace to work in: {@code -n}, else the context's, else {@code default}. */
  public String namespace() {
    return connection().namespace();
  }

  public Api api() {
    if (api == null) {
      api = new Api(connection(), options.requestTimeout, "bosun-cli/" + Main.version(), mapper());
    }
    return api;
  }

  /** Sleeps, turning an interrupt into a clean stop. */
  public void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted");
    }
  }

  @Override
  public void close() {
    if (api != null) {
      api.close();
    }
  }
}

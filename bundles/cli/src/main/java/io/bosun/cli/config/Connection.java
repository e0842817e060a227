package io.bosun.cli.config;

/**
 * Where and how to reach an API server, resolved from a kubeconfig context (or flags).
 *
 * @param server       base URL, such as {@code http://127.0.0.1:6443}
 * @param context      the kubeconfig context it came from, or null
 * @param namespace    the default namespace of the context ({@code default} when unset)
 * @param caData       PEM certificates to trust (https), or null for the JDK's trust store
 * @param insecure     skip certificate verification
 * @param token        a bearer token, or null
 * @param username     basic auth user, or null
 * @param password     basic auth password, or null
 * @param certData     a PEM client certificate chain, or null
 * @param keyData      the PEM private key of the client certificate, or null
 * @param source       where the settings came from, for messages
 */
public record Connection(String server, String context, String namespace, String caData, boolean insecure,
    String token, String username, String password, String certData, String keyData, String source) {

  /** The server {@code ./bosun up} starts by default. */
  public static final String DEFAULT_SERVER = "http://127.0.0.1:6443";

  public Connection withServer(String s) {
    return new Connection(s, context, namespace, caData, insecure, token, username, password, certData, keyData,
        source);
  }

  public Connection withNamespace(String ns) {
    return new Connection(server, context, ns, caData, insecure, token, username, password, certData, keyData,
        source);
  }
}

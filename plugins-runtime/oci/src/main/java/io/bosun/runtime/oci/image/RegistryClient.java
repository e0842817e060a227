package io.bosun.runtime.oci.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client of the OCI distribution API, for pulls only: manifests (OCI and Docker v2, indexes
 * resolved to one platform) and blobs by digest, each verified against its sha256. Speaks the
 * registry token handshake: a 401 with {@code WWW-Authenticate: Bearer realm=...,service=...,scope=...}
 * gets a token from the realm (anonymously, or with the credentials given) and the request is
 * repeated; {@code Basic} challenges get the credentials directly. Registries on loopback and
 * those configured as insecure are reached over plain HTTP, all others over HTTPS.
 *
 * <p>Thread-safe. Owns an {@link HttpClient} (and so its threads) until {@link #close()}.
 */
public final class RegistryClient implements AutoCloseable {

  /** Credentials for one pull; all null for anonymous. */
  public record Credentials(String username, String password, String bearerToken) {
    public static final Credentials ANONYMOUS = new Credentials(null, null, null);

    boolean basic() {
      return username != null && !username.isEmpty();
    }
  }

  /** What a tag or digest resolved to. */
  public record Resolved(String topDigest, String manifestDigest, byte[] manifest, Manifests.Parsed parsed) {
  }

  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final long MAX_MANIFEST = 4 * 1024 * 1024;

  private final HttpClient http;
  private final ObjectMapper json;
  private final Set<String> insecure;
  private final String os;
  private final String arch;
  private final Map<String, Token> tokens = new ConcurrentHashMap<>();

  private record Token(String value, Instant expires) {
  }

  /**
   * @param insecure registries ({@code host:port}) reached over plain HTTP besides loopback ones
   * @param os       the platform to pick from indexes ({@code linux})
   * @param arch     its architecture ({@code amd64})
   */
  public RegistryClient(ObjectMapper json, Set<String> insecure, String os, String arch) {
    this.json = json;
    this.insecure = Set.copyOf(insecure);
    this.os = os;
    this.arch = arch;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  /** Resolves a reference to one platform's manifest (fetching the index first if it is one). */
  public Resolved resolve(ImageReference ref, Credentials creds) throws IOException {
    Fetched top = fetchManifest(ref, ref.manifestReference(), creds);
    if (ref.digest() != null && !ref.digest().equals(top.digest)) {
      throw new IOException("manifest digest mismatch: asked for " + ref.digest() + ", got " + top.digest);
    }
    Manifests.Parsed parsed = Manifests.parse(json, top.bytes, top.contentType);
    if (!parsed.index()) {
      return new Resolved(top.digest, top.digest, top.bytes, parsed);
    }
    Manifests.Descriptor d = Manifests.pick(parsed, os, arch);
    Fetched m = fetchManifest(ref, d.digest(), creds);
    if (!m.digest.equals(d.digest())) {
      throw new IOException("manifest digest mismatch: index names " + d.digest() + ", got " + m.digest);
    }
    Manifests.Parsed mp = Manifests.parse(json, m.bytes, m.contentType);
    if (mp.index()) {
      throw new IOException("nested indexes are not supported");
    }
    return new Resolved(top.digest, m.digest, m.bytes, mp);
  }

  private record Fetched(byte[] bytes, String contentType, String digest) {
  }

  private Fetched fetchManifest(ImageReference ref, String reference, Credentials creds) throws IOException {
    URI uri = base(ref).resolve("/v2/" + ref.repository() + "/manifests/" + reference);
    HttpResponse<InputStream> r = send(ref, uri, Manifests.ACCEPT, creds);
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException(describe(r, in, "manifest " + ref.name() + ":" + reference));
      }
      byte[] bytes = in.readNBytes((int) MAX_MANIFEST + 1);
      if (bytes.length > MAX_MANIFEST) {
        throw new IOException("manifest larger than " + MAX_MANIFEST + " bytes");
      }
      return new Fetched(bytes, r.headers().firstValue("Content-Type").orElse(""), Digests.of(bytes));
    }
  }

  /**
   * Downloads a blob into {@code target} (replaced), verifying its digest and size.
   *
   * @param size the expected size; negative if unknown
   */
  public void blob(ImageReference ref, String digest, long size, Path target, Credentials creds) throws IOException {
    Digests.hex(digest);
    URI uri = base(ref).resolve("/v2/" + ref.repository() + "/blobs/" + digest);
    HttpResponse<InputStream> r = send(ref, uri, "*/*", creds);
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException(describe(r, in, "blob " + digest + " of " + ref.name()));
      }
      MessageDigest md = Digests.sha256();
      long n = 0;
      try (OutputStream out = Files.newOutputStream(target)) {
        byte[] buf = new byte[65536];
        for (int k; (k = in.read(buf)) >= 0; ) {
          md.update(buf, 0, k);
          out.write(buf, 0, k);
          n += k;
        }
      }
      String got = Digests.of(md);
      if (!got.equals(digest) || (size >= 0 && n != size)) {
        Files.deleteIfExists(target);
        throw new IOException("blob " + digest + " failed verification (got " + got + ", " + n + " bytes)");
      }
    }
  }

  private URI base(ImageReference ref) {
    boolean plain = ref.loopback() || insecure.contains(ref.registry());
    return URI.create((plain ? "http://" : "https://") + ref.apiHost());
  }

  private HttpResponse<InputStream> send(ImageReference ref, URI uri, String accept, Credentials creds)
      throws IOException {
    String scope = "repository:" + ref.repository() + ":pull";
    String key = ref.registry() + " " + scope;
    String auth = authorization(key, creds);
    HttpResponse<InputStream> r = get(uri, accept, auth);
    if (r.statusCode() != 401) {
      return r;
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
    r.body().close();
    if (challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
      Map<String, String> p = params(challenge);
      Token t = fetchToken(p.get("realm"), p.get("service"), p.getOrDefault("scope", scope), creds);
      tokens.put(key, t);
      return get(uri, accept, "Bearer " + t.value());
    }
    if (challenge.regionMatches(true, 0, "Basic", 0, 5) && creds.basic()) {
      return get(uri, accept, basic(creds));
    }
    return get(uri, accept, auth); // same answer again, for the caller's message
  }

  private String authorization(String key, Credentials creds) {
    if (creds.bearerToken() != null && !creds.bearerToken().isEmpty()) {
      return "Bearer " + creds.bearerToken();
    }
    Token t = tokens.get(key);
    if (t != null && t.expires.isAfter(Instant.now())) {
      return "Bearer " + t.value;
    }
    return null;
  }

  private Token fetchToken(String realm, String service, String scope, Credentials creds) throws IOException {
    if (realm == null || realm.isEmpty()) {
      throw new IOException("registry asked for a bearer token without a realm");
    }
    StringBuilder q = new StringBuilder();
    if (service != null) {
      q.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    if (scope != null) {
      q.append(q.isEmpty() ? "" : "&").append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    }
    URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
    HttpResponse<InputStream> r = get(uri, "application/json", creds.basic() ? basic(creds) : null);
    try (InputStream in = r.body()) {
      if (r.statusCode() != 200) {
        throw new IOException(describe(r, in, "token from " + realm));
      }
      JsonNode n = json.readTree(in.readNBytes(1024 * 1024));
      String token = n.path("token").asText(n.path("access_token").asText(""));
      if (token.isEmpty()) {
        throw new IOException("token endpoint " + realm + " sent no token");
      }
      long ttl = Math.max(60, n.path("expires_in").asLong(60));
      return new Token(token, Instant.now().plusSeconds(ttl - 10));
    }
  }

  private static String basic(Credentials c) {
    String up = c.username() + ":" + (c.password() == null ? "" : c.password());
    return "Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> params(String challenge) {
    Map<String, String> out = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(challenge);
    while (m.find()) {
      out.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
    }
    return out;
  }

  private HttpResponse<InputStream> get(URI uri, String accept, String authorization) throws IOException {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header("Accept", accept).GET();
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw new IOException("cannot reach " + uri.getScheme() + "://" + uri.getAuthority() + ": " + e, e);
    }
  }

  private static String describe(HttpResponse<?> r, InputStream body, String what) throws IOException {
    String text = new String(body.readNBytes(2048), StandardCharsets.UTF_8).trim();
    String kind = switch (r.statusCode()) {
      case 401, 403 -> "unauthorized";
      case 404 -> "not found";
      default -> "HTTP " + r.statusCode();
    };
    return what + ": " + kind + (text.isEmpty() ? "" : " (" + text + ")");
  }

  @Override
  public void close() {
    http.close();
  }
}

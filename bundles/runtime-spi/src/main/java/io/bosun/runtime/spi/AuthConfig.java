package io.bosun.runtime.spi;

/**
 * Registry credentials for a pull (CRI {@code AuthConfig}). A placeholder for now: the kubelet
 * does not yet read image pull secrets and passes null.
 *
 * @param serverAddress the registry, such as {@code registry.example.com:5000}
 * @param username      user name; null if none
 * @param password      password; null if none
 * @param auth          base64 of {@code user:password}, as in a docker config; null if none
 * @param identityToken an OAuth refresh token; null if none
 * @param registryToken a bearer token for the registry; null if none
 */
public record AuthConfig(String serverAddress, String username, String password, String auth,
    String identityToken, String registryToken) {

  @Override
  public String toString() {
    // Never print secrets into logs.
    return "AuthConfig[serverAddress=" + serverAddress + ", username=" + username + "]";
  }
}

package io.bosun.apiserver;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the API server (PID {@code io.bosun.apiserver}, e.g. {@code etc/io.bosun.apiserver.cfg}). */
@ObjectClassDefinition(name = "Bosun API server")
public @interface ApiServerConfig {

  @AttributeDefinition(description = "Port to serve on; 0 takes the framework property bosun.apiserver.port, "
      + "else 6443.")
  int port() default 0;

  @AttributeDefinition(description = "Address to bind; plain HTTP, so loopback by default.")
  String host() default "127.0.0.1";

  @AttributeDefinition(description = "Largest request body accepted, in bytes (upstream: 3 MiB).")
  long maxRequestBodyBytes() default 3L * 1024 * 1024;

  @AttributeDefinition(description = "Watches without timeoutSeconds end after a random time between this and "
      + "twice this, as upstream's --min-request-timeout.")
  int minRequestTimeoutSeconds() default 1800;

  @AttributeDefinition(description = "How often a watch that allows bookmarks gets one.")
  int watchBookmarkIntervalSeconds() default 60;

  @AttributeDefinition(description = "Service cluster IP range (CIDR).")
  String serviceClusterIpRange() default "10.96.0.0/12";

  @AttributeDefinition(description = "Service node port range, as first-last.")
  String serviceNodePortRange() default "30000-32767";
}

package io.bosun.client.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the shared API client (PID {@code io.bosun.client}, e.g. {@code etc/io.bosun.client.cfg}). */
@ObjectClassDefinition(name = "Bosun API client")
public @interface ApiClientComponentConfig {

  @AttributeDefinition(description = "Base URL of the API server; empty: http://127.0.0.1: plus the framework "
      + "property bosun.apiserver.port, else 6443 (the local API server of an all-in-one runtime).")
  String server() default "";

  @AttributeDefinition(description = "User-Agent of requests; its part before '/' is the default field manager.")
  String userAgent() default "bosun";

  @AttributeDefinition(description = "Seconds a new connection may take.")
  int connectTimeoutSeconds() default 10;

  @AttributeDefinition(description = "Seconds a request may wait for its response headers.")
  int requestTimeoutSeconds() default 60;
}

package io.bosun.apiserver.spi;

import java.io.IOException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Serves the requests under one path prefix, registered as an OSGi service with the
 * {@link #PATH_PREFIX} property. The API server routes a request here only when it does not
 * serve the path itself (Kubernetes resources, discovery, health and metrics always win), and
 * picks the handler with the longest matching prefix.
 *
 * <p>Each request runs on its own virtual thread, so a handler may block. Handlers are shared by
 * all requests: keep no per-request state in fields.
 */
@ConsumerType
public interface RouteHandler {

  /**
   * Service property (String): the path prefix served, starting and ending with {@code /}, such
   * as {@code /apis/platform.bosun.io/v1alpha1/}. A service without it is ignored.
   */
  String PATH_PREFIX = "bosun.apiserver.route.prefix";

  /**
   * Answers one request.
   *
   * @return the response to send; its body is sent as it is
   * @throws RouteException for an expected failure: the API server answers with a Kubernetes
   *                        {@code Status} of its code, reason and message
   * @throws IOException    when the request body cannot be read (answered as 400)
   */
  RouteResponse handle(RouteRequest request) throws IOException;
}

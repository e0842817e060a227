package io.bosun.apiserver.spi;

import java.io.IOException;
import java.io.InputStream;
import org.osgi.annotation.versioning.ProviderType;

/** One HTTP request as a {@link RouteHandler} sees it. Used from one thread; valid only during {@code handle}. */
@ProviderType
public interface RouteRequest {

  /** {@code GET}, {@code PUT}, ... */
  String method();

  /** The decoded path, without a trailing {@code /}, such as {@code /apis/platform.bosun.io/v1alpha1/plugins}. */
  String path();

  /** A query parameter's first value, or null. */
  String param(String name);

  /** A header's value, or null. */
  String header(String name);

  /**
   * The request body as a stream, not limited by the API server's body size limit: the handler
   * enforces its own. May be called once.
   */
  InputStream body() throws IOException;
}

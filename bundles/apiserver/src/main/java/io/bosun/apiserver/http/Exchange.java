package io.bosun.apiserver.http;

import io.bosun.apiserver.status.ApiException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * One HTTP exchange as request handling sees it: query parameters, headers, a size-limited body,
 * warnings to send, and exactly-once completion. Used from one thread at a time.
 */
public final class Exchange {

  private final Request request;
  private final Response response;
  private final Callback callback;
  private final Fields query;
  private final long maxBodyBytes;
  private final List<String> warnings = new ArrayList<>();
  private boolean completed;
  private int status = 200;

  public Exchange(Request request, Response response, Callback callback, long maxBodyBytes) {
    this.request = request;
    this.response = response;
    this.callback = callback;
    this.query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
    this.maxBodyBytes = maxBodyBytes;
  }

  public String method() {
    return request.getMethod();
  }

  public String path() {
    return request.getHttpURI().getDecodedPath();
  }

  /** A query parameter's first value, or null. */
  public String param(String name) {
    return query.getValue(name);
  }

  public boolean hasParam(String name) {
    return query.get(name) != null;
  }

  /** A boolean query parameter as upstream parses it ("true"/"1" are true). */
  public boolean flag(String name) {
    String v = param(name);
    return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
  }

  public String header(String name) {
    return request.getHeaders().get(name);
  }

  public String contentType() {
    return request.getHeaders().get(HttpHeader.CONTENT_TYPE);
  }

  /**
   * Reads the whole body.
   *
   * @throws ApiException 413 when it exceeds the limit
   */
  public byte[] body() {
    long declared = request.getLength();
    if (declared > maxBodyBytes) {
      throw ApiException.tooLarge(maxBodyBytes);
    }
    try (InputStream in = Content.Source.asInputStream(request)) {
      byte[] data = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
      if (data.length > maxBodyBytes) {
        throw ApiException.tooLarge(maxBodyBytes);
      }
      return data;
    } catch (IOException e) {
      throw ApiException.badRequest("unable to read the request body: " + e.getMessage());
    }
  }

  /** The body as a stream, without the size limit: for extra routes that enforce their own. */
  public InputStream bodyStream() {
    return Content.Source.asInputStream(request);
  }

  /** Adds a {@code Warning: 299 - "..."} header, as upstream reports unknown fields. */
  public void warn(String message) {
    warnings.add(message);
  }

  public int status() {
    return status;
  }

  public boolean isCompleted() {
    return completed;
  }

  /** Sends a complete response. */
  public void send(int code, String contentType, byte[] body) {
    prepare(code, contentType);
    completed = true;
    if (request.getMethod().equals("HEAD")) {
      response.write(true, null, callback);
    } else {
      response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
      response.write(true, ByteBuffer.wrap(body), callback);
    }
  }

  /**
   * Starts a streamed response (watch, logs); the stream blocks on writes and completes the
   * exchange when closed.
   */
  public OutputStream stream(int code, String contentType) {
    prepare(code, contentType);
    completed = true;
    OutputStream out = Content.Sink.asOutputStream(response);
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void flush() throws IOException {
        out.flush();
      }

      @Override
      public void close() throws IOException {
        try {
          out.close();
          callback.succeeded();
        } catch (IOException | RuntimeException e) {
          callback.failed(e);
          throw e;
        }
      }
    };
  }

  /** Fails the exchange without a response (the connection is broken). */
  public void abort(Throwable cause) {
    if (!completed) {
      completed = true;
      callback.failed(cause);
    }
  }

  private void prepare(int code, String contentType) {
    if (completed) {
      throw new IllegalStateException("response already sent");
    }
    status = code;
    response.setStatus(code);
    var headers = response.getHeaders();
    headers.put(HttpHeader.CONTENT_TYPE, contentType);
    headers.put(HttpHeader.CACHE_CONTROL, "no-cache, private");
    for (String w : warnings) {
      headers.add(new HttpField("Warning", "299 - \"" + w.replace("\"", "\\\"") + "\""));
    }
  }
}

package io.bosun.kubelet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kubelet's HTTP server (upstream's port 10250, here plain HTTP without authentication, so it
 * listens on loopback by default): {@code GET /containerLogs/{namespace}/{pod}/{container}} and
 * {@code GET /healthz}. Requests run on virtual threads; a followed log streams chunked until the
 * container stops or the client goes.
 */
final class KubeletServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubeletServer.class);

  private final Server server;
  private final ServerConnector connector;
  private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
      Thread.ofVirtual().name("bosun-kubelet-http-", 0).factory());
  private final ContainerLogs logs;

  KubeletServer(String host, int port, ContainerLogs logs) {
    this.logs = logs;
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    pool.setName("bosun-kubelet-jetty");
    server = new Server(pool);
    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    connector.setIdleTimeout(TimeUnit.HOURS.toMillis(4)); // followed logs are quiet for long stretches
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract(Handler.Abstract.InvocationType.NON_BLOCKING) {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        try {
          executor.execute(() -> serve(request, response, callback));
        } catch (RejectedExecutionException e) {
          Response.writeError(request, response, callback, 503, "the kubelet is stopping");
        }
        return true;
      }
    });
    server.setStopTimeout(2000);
  }

  /** Binds the port; returns once listening. */
  KubeletServer start() throws Exception {
    server.start();
    LOG.info("Kubelet serving container logs on http://{}:{}", connector.getHost(), connector.getLocalPort());
    return this;
  }

  int port() {
    return connector.getLocalPort();
  }

  private void serve(Request request, Response response, Callback callback) {
    String path = request.getHttpURI().getDecodedPath();
    try {
      if (!request.getMethod().equals("GET")) {
        text(response, callback, 405, "only GET is served");
        return;
      }
      if (path.equals("/healthz")) {
        text(response, callback, 200, "ok");
        return;
      }
      String[] parts = path.split("/");
      if (parts.length == 5 && parts[1].equals("containerLogs")) {
        Map<String, String> params = new HashMap<>();
        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        query.forEach(f -> params.put(f.getName(), f.getValue()));
        boolean[] started = {false};
        OutputStream[] stream = {null};
        try {
          logs.serve(dec(parts[2]), dec(parts[3]), dec(parts[4]), params, () -> {
            started[0] = true;
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain");
            stream[0] = Content.Sink.asOutputStream(response);
            return stream[0];
          });
          if (stream[0] != null) {
            stream[0].close();
          }
          if (!started[0]) {
            text(response, callback, 200, "");
          } else {
            callback.succeeded();
          }
        } catch (ContainerLogs.LogException e) {
          if (started[0]) {
            callback.failed(e);
          } else {
            text(response, callback, e.status, e.getMessage());
          }
        } catch (IOException e) {
          // the client went away mid-stream
          callback.failed(e);
        }
        return;
      }
      text(response, callback, 404, "404 page not found");
    } catch (RuntimeException e) {
      LOG.warn("Error serving {}", path, e);
      callback.failed(e);
    }
  }

  private static void text(Response response, Callback callback, int status, String body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
    response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
  }

  private static String dec(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /** Stops serving: open log streams end, then the executor's threads. */
  @Override
  public void close() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Error stopping the kubelet's HTTP server", e);
    }
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.bosun.apiserver.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.apiserver.discovery.Discovery;
import io.bosun.apiserver.metrics.ApiMetrics;
import io.bosun.apiserver.registry.ResourceRegistry;
import io.bosun.apiserver.registry.ResourceType;
import io.bosun.apiserver.rest.Call;
import io.bosun.apiserver.rest.Resources;
import io.bosun.apiserver.spi.RouteException;
import io.bosun.apiserver.spi.RouteRequest;
import io.bosun.apiserver.spi.RouteResponse;
import io.bosun.apiserver.status.ApiException;
import io.bosun.apiserver.watch.WatchHandler;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Jetty handler of the API server: routes health, metrics, discovery, OpenAPI and
 * resource requests, and turns every failure into a Kubernetes {@code Status} response. Each
 * request runs on its own virtual thread, so blocking store calls and long watches cost no
 * platform threads.
 */
public final class ApiHandler extends Handler.Abstract {

  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

  /** The OpenAPI documents, served as they are. */
  public interface OpenApi {
    /** The {@code /openapi/v3} index. */
    byte[] index();

    /** The document at {@code /openapi/v3/<path>}, or null when there is none. */
    byte[] document(String path);
  }

  private final ExecutorService executor;
  private final ResourceRegistry registry;
  private final Resources resources;
  private final WatchHandler watches;
  private final Discovery discovery;
  private final OpenApi openApi;
  private final Health health;
  private final ApiCodec codec;
  private final ApiMetrics metrics;
  private final PrometheusRegistry prometheus;
  private final long maxBodyBytes;
  private final Routes routes;

  public ApiHandler(ExecutorService executor, ResourceRegistry registry, Resources resources, WatchHandler watches,
      Discovery discovery, OpenApi openApi, Health health, ApiCodec codec, ApiMetrics metrics,
      PrometheusRegistry prometheus, long maxBodyBytes) {
    this(executor, registry, resources, watches, discovery, openApi, health, codec, metrics, prometheus, maxBodyBytes,
        new Routes());
  }

  /** @param routes extra routes of other bundles, consulted for paths this handler does not serve */
  public ApiHandler(ExecutorService executor, ResourceRegistry registry, Resources resources, WatchHandler watches,
      Discovery discovery, OpenApi openApi, Health health, ApiCodec codec, ApiMetrics metrics,
      PrometheusRegistry prometheus, long maxBodyBytes, Routes routes) {
    super(InvocationType.NON_BLOCKING);
    this.executor = executor;
    this.registry = registry;
    this.resources = resources;
    this.watches = watches;
    this.discovery = discovery;
    this.openApi = openApi;
    this.health = health;
    this.codec = codec;
    this.metrics = metrics;
    this.prometheus = prometheus;
    this.maxBodyBytes = maxBodyBytes;
    this.routes = routes;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    try {
      executor.execute(() -> process(new Exchange(request, response, callback, maxBodyBytes)));
    } catch (RejectedExecutionException e) {
      // Stopping: tell the client to come back rather than leaving it hanging.
      Exchange ex = new Exchange(request, response, callback, maxBodyBytes);
      sendStatus(ex, ApiException.unavailable("the server is shutting down"));
    }
    return true;
  }

  private void process(Exchange ex) {
    long start = System.nanoTime();
    ApiMetrics.RequestLabels labels = ApiMetrics.RequestLabels.NONE;
    try {
      String path = ex.path();
      if (path == null) {
        throw ApiException.pathNotFound();
      }
      if (path.length() > 1 && path.endsWith("/")) {
        path = path.substring(0, path.length() - 1);
      }
      if (Health.handles(path)) {
        health.serve(ex);
        return;
      }
      switch (path) {
        case "/metrics" -> {
          serveMetrics(ex);
          return;
        }
        case "/version" -> {
          sendJson(ex, discovery.version());
          return;
        }
        case "/api" -> {
          sendJson(ex, discovery.coreVersions(ex.header("Host") == null ? "" : ex.header("Host")));
          return;
        }
        case "/apis" -> {
          sendJson(ex, discovery.groups());
          return;
        }
        case "/openapi/v3" -> {
          ex.send(200, MediaTypes.JSON, openApi.index());
          return;
        }
        default -> { }
      }
      if (path.startsWith("/openapi/v3/")) {
        byte[] doc = openApi.document(path.substring("/openapi/v3/".length()));
        if (doc == null) {
          throw ApiException.pathNotFound();
        }
        ex.send(200, MediaTypes.JSON, doc);
        return;
      }
      Routes.Match route = routes.find(path);
      if (route != null && !servedHere(path)) {
        serveRoute(ex, route, path);
        return;
      }
      String[] parts = path.substring(1).split("/");
      if (parts.length == 2 && parts[0].equals("api")) {
        sendDiscovery(ex, discovery.resources(parts[1]));
        return;
      }
      if (parts.length == 2 && parts[0].equals("apis")) {
        sendDiscovery(ex, discovery.group(parts[1]));
        return;
      }
      if (parts.length == 3 && parts[0].equals("apis")) {
        sendDiscovery(ex, discovery.resources(parts[1] + "/" + parts[2]));
        return;
      }
      RequestInfo info = RequestInfo.parse(ex.method(), path, ex.flag("watch"));
      if (info == null) {
        throw ApiException.pathNotFound();
      }
      ResourceType type = registry.find(info.group(), info.version(), info.resource());
      if (type == null) {
        throw ApiException.pathNotFound();
      }
      labels = new ApiMetrics.RequestLabels(info.verb().toUpperCase(java.util.Locale.ROOT), type.group(),
          type.version(), type.plural(), info.subresource(),
          !type.namespaced() ? "cluster" : info.namespace().isEmpty() ? "cluster" : "namespace");
      Call call = new Call(ex, info, type, MediaTypes.negotiate(ex.header("Accept")));
      if (info.verb().equals("watch")) {
        if (!type.supports("watch")) {
          throw ApiException.methodNotSupported(type.resourceName(), "watch");
        }
        if ("websocket".equalsIgnoreCase(ex.header("Upgrade"))) {
          // Watches are served as HTTP streams only. Refusing the upgrade with a finished 200
          // is what makes WebSocket-first clients (fabric8) fall back to the HTTP watch.
          ex.send(200, MediaTypes.JSON, new byte[0]);
          return;
        }
        watches.serve(call, labels);
      } else {
        resources.handle(call);
      }
    } catch (ApiException e) {
      sendStatus(ex, e);
    } catch (RuntimeException | Error e) {
      LOG.error("Internal error serving {} {}", ex.method(), ex.path(), e);
      sendStatus(ex, ApiException.internal(e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : ": " + e.getMessage())));
    } finally {
      if (labels != ApiMetrics.RequestLabels.NONE) {
        metrics.request(labels, ex.status(), start);
      }
    }
  }

  /** Whether the Kubernetes API serves {@code path} (a group or resource of its own), so no route may shadow it. */
  private boolean servedHere(String path) {
    String[] parts = path.substring(1).split("/");
    if (parts.length >= 2 && parts[0].equals("apis") && discovery.group(parts[1]) != null) {
      return true;
    }
    if (parts.length >= 1 && parts[0].equals("api")) {
      return true;
    }
    return false;
  }

  private void serveRoute(Exchange ex, Routes.Match route, String path) {
    RouteRequest request = new RouteRequest() {
      @Override
      public String method() {
        return ex.method();
      }

      @Override
      public String path() {
        return path;
      }

      @Override
      public String param(String name) {
        return ex.param(name);
      }

      @Override
      public String header(String name) {
        return ex.header(name);
      }

      @Override
      public InputStream body() {
        return ex.bodyStream();
      }
    };
    RouteResponse response;
    try {
      response = route.handler().handle(request);
    } catch (RouteException e) {
      throw new ApiException(ApiException.failure(e.code(), e.reason(), e.getMessage(), null));
    } catch (IOException e) {
      throw ApiException.badRequest("unable to read the request body: " + e.getMessage());
    }
    if (response == null) {
      throw ApiException.internal("the handler of " + route.prefix() + " gave no response");
    }
    ex.send(response.code(), response.contentType(), response.body());
  }

  private void sendDiscovery(Exchange ex, ObjectNode doc) {
    if (doc == null) {
      throw ApiException.pathNotFound();
    }
    sendJson(ex, doc);
  }

  private void sendJson(Exchange ex, ObjectNode body) {
    ex.send(200, MediaTypes.JSON, codec.writeJson(body));
  }

  private void sendStatus(Exchange ex, ApiException e) {
    if (ex.isCompleted()) {
      return;
    }
    ex.send(e.code(), MediaTypes.JSON, codec.writeJson(e.status()));
  }

  private void serveMetrics(Exchange ex) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
    try {
      new PrometheusTextFormatWriter(false).write(out, prometheus.scrape());
    } catch (IOException e) {
      throw ApiException.internal("cannot render metrics: " + e.getMessage());
    }
    ex.send(200, "text/plain; version=0.0.4; charset=utf-8", out.toByteArray());
  }
}

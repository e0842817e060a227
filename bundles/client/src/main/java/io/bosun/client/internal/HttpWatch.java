package io.bosun.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.bosun.api.codec.ApiCodec;
import io.bosun.api.meta.v1.Status;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.client.ClientTransportException;
import io.bosun.client.Watch;
import io.bosun.client.WatchEventType;
import io.bosun.client.WatchHandler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one watch response, a stream of {@code {"type":..,"object":..}} lines, on its own thread
 * and hands the decoded events to the handler.
 */
final class HttpWatch<T> implements Watch {

  private static final Logger LOG = LoggerFactory.getLogger(HttpWatch.class);

  private final InputStream body;
  private final ApiCodec codec;
  private final Class<T> type;
  private final WatchHandler<? super T> handler;
  private final Consumer<HttpWatch<?>> onEnd;
  private final Thread reader;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean ended;

  HttpWatch(String name, InputStream body, ApiCodec codec, Class<T> type, WatchHandler<? super T> handler,
      Consumer<HttpWatch<?>> onEnd) {
    this.body = body;
    this.codec = codec;
    this.type = type;
    this.handler = handler;
    this.onEnd = onEnd;
    reader = new Thread(this::run, name);
    reader.setDaemon(true);
  }

  void start() {
    reader.start();
  }

  private void run() {
    ClientException cause = null;
    try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      String line;
      while (!closing.get() && (line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        cause = dispatch(line);
        if (cause != null) {
          break;
        }
      }
    } catch (IOException e) {
      if (!closing.get()) {
        cause = new ClientTransportException("watch stream failed: " + Transport.describe(e), e);
      }
    } catch (RuntimeException e) {
      if (!closing.get()) {
        cause = new ClientTransportException("watch stream failed: " + e, e);
      }
    } finally {
      ended = true;
      onEnd.accept(this);
      try {
        handler.onClose(closing.get() ? null : cause);
      } catch (RuntimeException e) {
        LOG.warn("Watch handler failed in onClose", e);
      }
    }
  }

  /** Delivers one line; returns the cause that ends the watch, if it does. */
  private ClientException dispatch(String line) {
    JsonNode event;
    try {
      event = codec.mapper().readTree(line);
    } catch (IOException e) {
      return new ClientTransportException("undecodable watch event: " + abbreviate(line), e);
    }
    String kind = event.path("type").asText();
    JsonNode object = event.path("object");
    if (kind.equals("ERROR")) {
      Status status = object.isObject() && "Status".equals(object.path("kind").asText())
          ? codec.fromTree(object, Status.class) : Transport.statusFor(500, "watch error: " + abbreviate(line));
      if (status.getCode() == null) {
        status.setCode(500);
      }
      return new ClientStatusException(status);
    }
    WatchEventType eventType;
    try {
      eventType = WatchEventType.valueOf(kind);
    } catch (IllegalArgumentException e) {
      return new ClientTransportException("unknown watch event type: " + abbreviate(line), e);
    }
    T value;
    try {
      value = codec.fromTree(object, type);
    } catch (IllegalArgumentException e) {
      return new ClientTransportException("undecodable watch object: " + e.getMessage(), e);
    }
    if (closing.get()) {
      return null;
    }
    try {
      handler.onEvent(eventType, value);
    } catch (RuntimeException e) {
      LOG.warn("Watch handler failed on a {} event; the watch goes on", eventType, e);
    }
    return null;
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  @Override
  public void close() {
    if (closing.compareAndSet(false, true)) {
      // Closing the body wakes a reader blocked in read(). No interrupt: the reader may be in
      // the handler's code, which should not see one.
      try {
        body.close();
      } catch (IOException e) {
        LOG.debug("Closing a watch stream failed", e);
      }
    }
    if (Thread.currentThread() != reader) {
      try {
        reader.join(10_000);
        if (reader.isAlive()) {
          LOG.warn("Watch reader {} did not stop within 10s", reader.getName());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public boolean isClosed() {
    return ended || closing.get();
  }
}

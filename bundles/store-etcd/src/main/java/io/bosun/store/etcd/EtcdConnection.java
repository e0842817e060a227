package io.bosun.store.etcd;

import io.bosun.store.spi.StoreException;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SingleThreadIoEventLoop;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jetcd client and every thread behind it, owned by the store so that closing it stops them
 * all before it returns.
 *
 * <p>Left to itself, jetcd's gRPC channel runs on gRPC's process-wide shared event loops and
 * executor, which gRPC releases on a timer a second after the last channel closes. In OSGi that
 * is after the bundle has been stopped, often after it has been uninstalled, when the release can
 * no longer load the classes it needs: the threads then live on and pin the old bundle's class
 * loader. So the store builds the channel itself, from jetcd's own channel configuration (TLS,
 * keepalive, load balancing, interceptors), on an event loop group and executor of its own, and
 * puts it into jetcd before jetcd creates one (reflection on the embedded jetcd 0.8.7; should that
 * fail, jetcd's default channel is used and a warning says threads may outlive a stop).
 */
final class EtcdConnection implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(EtcdConnection.class.getName());
  private static final Duration STOP_WAIT = Duration.ofSeconds(5);

  private final Client client;
  private final ManagedChannel channel;
  private final EventLoopGroup group;
  private final ExecutorService executor;
  private final AtomicLong lastNudge = new AtomicLong();

  EtcdConnection(EtcdStore.Options options) {
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory named = r -> {
      Thread t = new Thread(r, "bosun-etcd-client-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.executor = Executors.newCachedThreadPool(named);
    ClientBuilder builder = Client.builder()
        .endpoints(options.endpoints().toArray(String[]::new))
        .executorService(executor)
        // Fail fast while disconnected: the store retries with its own deadline, and a request that
        // was given up on must not sit in a queue and reach etcd later.
        .waitForReady(false)
        // Only jetcd's auth-token renewal retry is wanted; everything else the store decides.
        .retryMaxAttempts(0)
        .connectTimeout(options.attemptTimeout().compareTo(Duration.ofSeconds(5)) < 0
            ? options.attemptTimeout() : Duration.ofSeconds(5))
        .maxInboundMessageSize(512 << 20)
        .interceptor(new UnaryDeadline(options.attemptTimeout()));
    if (options.authority() != null) {
      builder.authority(options.authority());
    }
    if (options.user() != null) {
      builder.user(bytes(options.user())).password(bytes(options.password()));
    }
    if (options.tls()) {
      try {
        builder.sslContext(ssl -> {
          if (options.caFile() != null) {
            ssl.trustManager(readable(options.caFile()));
          }
          if (options.certFile() != null) {
            ssl.keyManager(readable(options.certFile()), readable(options.keyFile()));
          }
        });
      } catch (IOException | RuntimeException e) {
        executor.shutdownNow();
        throw new StoreException("cannot set up TLS for etcd: " + e.getMessage(), e);
      }
    }
    this.client = builder.build();
    // One event loop is plenty for a client, and a bare loop (no group around it) has no termination
    // listeners, which Netty would run on its global executor thread after close.
    this.group = new SingleThreadIoEventLoop(null, new DefaultThreadFactory("bosun-etcd-io", true),
        NioIoHandler.newFactory());
    this.channel = ownChannel();
  }

  private ManagedChannel ownChannel() {
    try {
      Field managerField = client.getClass().getDeclaredField("connectionManager");
      managerField.setAccessible(true);
      Object manager = managerField.get(client);
      Method defaults = manager.getClass().getDeclaredMethod("defaultChannelBuilder");
      defaults.setAccessible(true);
      NettyChannelBuilder netty = (NettyChannelBuilder) defaults.invoke(manager);
      ManagedChannel own = netty.eventLoopGroup(group).channelType(NioSocketChannel.class)
          .executor(executor).offloadExecutor(executor).build();
      Field channelField = manager.getClass().getDeclaredField("managedChannel");
      channelField.setAccessible(true);
      channelField.set(manager, own);
      return own;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "cannot give jetcd a channel of the store''s own ({0}); gRPC''s shared "
          + "threads may outlive the store, and reconnects follow gRPC''s back-off (up to 2 min)", e.toString());
      return null;
    }
  }

  Client client() {
    return client;
  }

  /**
   * Lets the channel reconnect now instead of waiting out gRPC's back-off, which grows to two
   * minutes during a long etcd outage; the store's own retry loop (at most 1 s apart) calls this.
   */
  void nudgeReconnect() {
    long now = System.nanoTime();
    long last = lastNudge.get();
    if (channel != null && now - last > TimeUnit.MILLISECONDS.toNanos(200) && lastNudge.compareAndSet(last, now)) {
      channel.resetConnectBackoff();
    }
  }

  /** Closes jetcd and waits for the channel, its event loops and executor to stop. */
  @Override
  public void close() {
    try {
      client.close();
      if (channel != null) {
        channel.shutdownNow();
        if (!channel.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.log(System.Logger.Level.WARNING, "etcd channel did not terminate within {0}", STOP_WAIT);
        }
      }
      group.shutdownGracefully(0, STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(STOP_WAIT.toMillis() + 1000);
      executor.shutdownNow();
      if (!executor.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.log(System.Logger.Level.WARNING, "etcd client threads did not stop within {0}", STOP_WAIT);
      }
      // Should anything have used Netty's global executor, its thread ends a second after its last task.
      try {
        GlobalEventExecutor.INSTANCE.awaitInactivity(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (IllegalStateException neverStarted) {
        // Nothing used it: nothing to wait for.
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ByteSequence bytes(String s) {
    return ByteSequence.from(s, StandardCharsets.UTF_8);
  }

  private static File readable(Path p) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException("not a readable file: " + p);
    }
    return p.toFile();
  }

  /** Puts a deadline on every unary request; watch streams are long-lived and get none. */
  private record UnaryDeadline(Duration timeout) implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions callOptions, Channel next) {
      if (method.getType() == MethodDescriptor.MethodType.UNARY) {
        callOptions = callOptions.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
      }
      return next.newCall(method, callOptions);
    }
  }
}

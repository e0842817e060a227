package io.bosun.controller.internal;

import io.bosun.controller.Controller;
import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one controller service during one term: calls {@link Controller#run} on a thread of its
 * own, with a fresh {@link Run} each time, and again after a backoff if it returns or fails
 * while not told to stop.
 */
final class Supervisor {

  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
  static final Duration MIN_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

  final Controller controller;
  final String name;
  private final Supplier<Run> runs;
  private final Duration stopTimeout;
  private final Thread thread;
  private Run current;
  private boolean stopped;

  Supervisor(Controller controller, String name, Supplier<Run> runs, Duration stopTimeout) {
    this.controller = controller;
    this.name = name;
    this.runs = runs;
    this.stopTimeout = stopTimeout;
    this.thread = Thread.ofVirtual().name("bosun-controller-" + name).unstarted(this::loop);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    Duration backoff = MIN_BACKOFF;
    while (true) {
      Run run;
      synchronized (this) {
        if (stopped) {
          return;
        }
        run = runs.get();
        current = run;
      }
      LOG.info("Starting controller {}", name);
      long began = System.nanoTime();
      try {
        controller.run(run);
      } catch (InterruptedException e) {
        // Stopping (or a stray interrupt: then the controller is run again).
      } catch (Throwable t) {
        LOG.error("Controller {} failed", name, t);
      } finally {
        run.release(Duration.ofSeconds(5));
      }
      synchronized (this) {
        if (stopped) {
          return;
        }
      }
      if (System.nanoTime() - began > MAX_BACKOFF.toNanos()) {
        backoff = MIN_BACKOFF;
      }
      LOG.warn("Controller {} returned without being stopped; running it again in {} s", name, backoff.toSeconds());
      try {
        synchronized (this) {
          long until = System.nanoTime() + backoff.toNanos();
          for (long left = backoff.toNanos(); !stopped && left > 0; left = until - System.nanoTime()) {
            wait(Math.max(1, left / 1_000_000));
          }
        }
      } catch (InterruptedException e) {
        // Re-checked at the top of the loop.
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
  }

  /**
   * Stops the controller and waits for it: signals the run, waits up to the stop timeout for
   * {@code run} to return, then interrupts it and its threads. Returns once it ended (or, if it
   * ignores interrupts, after a further 5 seconds, with a warning).
   */
  void stop() {
    Run run;
    synchronized (this) {
      stopped = true;
      run = current;
      notifyAll();
    }
    if (run != null) {
      run.signalStop();
    }
    try {
      if (!thread.join(stopTimeout)) {
        LOG.warn("Controller {} did not stop within {} s; interrupting it", name, stopTimeout.toSeconds());
        thread.interrupt();
        if (run != null) {
          run.interruptThreads();
        }
        if (!thread.join(Duration.ofSeconds(5))) {
          LOG.error("Controller {} ignores interrupts; leaving its thread behind", name);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isAlive() {
    return thread.isAlive();
  }
}

package io.bosun.controller.internal;

import io.bosun.client.ApiClient;
import io.bosun.client.leaderelection.LeaderCallbacks;
import io.bosun.client.leaderelection.LeaderElector;
import io.bosun.controller.Controller;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The controller manager, as plain Java (the DS component wraps it; tests use it directly):
 * competes for the leader lease, and while it leads runs every registered, enabled
 * {@link Controller} over one set of shared informers.
 *
 * <ul>
 *   <li>Leadership gained: a new term (fresh informers) starts every controller.</li>
 *   <li>Leadership lost, or {@link #close()}: every controller is stopped, then the informers.</li>
 *   <li>{@link #addController}: while leading, the controller starts at once.</li>
 *   <li>{@link #removeController}: blocks until the controller's run has ended and released its
 *       handlers, queues and threads, so none of the old bundle's code runs afterwards. A
 *       replacement added next resumes over the same informers; its
 *       {@code waitForCacheSync} waits until they reflect everything the old one wrote.</li>
 *   <li>Two services with the same name: the first runs, the second waits for its turn.</li>
 * </ul>
 *
 * <p>Thread-safe. Lifecycle changes are serialized by one lock, held while controllers stop.
 */
public final class ControllerManager implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControllerManager.class);

  private final ApiClient client;
  private final Settings settings;
  private final Clock clock;
  private final EventWriter events;
  private final ReentrantLock lifecycle = new ReentrantLock();
  /** Registered services by name, in registration order; the first of each name may run. */
  private final Map<String, List<Controller>> registered = new LinkedHashMap<>();
  private final Map<String, Supervisor> running = new LinkedHashMap<>();
  private LeaderElector elector;
  private Term term;
  private boolean started;
  private boolean closed;

  /**
   * @param client the client controllers use; not closed by the manager
   */
  public ControllerManager(ApiClient client, Settings settings, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.events = new EventWriter(client, clock, settings.identity());
  }

  /** Starts competing for leadership (or, without leader election, leads at once). Idempotent. */
  public void start() {
    lifecycle.lock();
    try {
      if (started || closed) {
        return;
      }
      started = true;
      if (settings.leaderElection() == null) {
        startLeading();
        return;
      }
      elector = new LeaderElector(client, settings.leaderElection(), new LeaderCallbacks() {
        @Override
        public void onStartedLeading() {
          startLeading();
        }

        @Override
        public void onStoppedLeading() {
          stopLeading();
        }
      });
      elector.start();
    } finally {
      lifecycle.unlock();
    }
  }

  /** Registers a controller; runs it now if this manager leads and it is enabled and first of its name. */
  public void addController(Controller controller) {
    String name = nameOf(controller);
    if (name == null) {
      return;
    }
    lifecycle.lock();
    try {
      registered.computeIfAbsent(name, n -> new ArrayList<>()).add(controller);
      if (term != null && !running.containsKey(name)) {
        startController(name);
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /** Unregisters a controller; if it runs, returns once it has stopped (and runs the next of its name). */
  public void removeController(Controller controller) {
    lifecycle.lock();
    try {
      for (var it = registered.entrySet().iterator(); it.hasNext(); ) {
        Map.Entry<String, List<Controller>> e = it.next();
        if (!e.getValue().removeIf(c -> c == controller)) {
          continue;
        }
        String name = e.getKey();
        if (e.getValue().isEmpty()) {
          it.remove();
        }
        Supervisor s = running.get(name);
        if (s != null && s.controller == controller) {
          running.remove(name);
          s.stop();
          LOG.info("Stopped controller {}", name);
          if (term != null) {
            startController(name);
          }
        }
        return;
      }
    } finally {
      lifecycle.unlock();
    }
  }

  /** Whether this manager leads now. */
  public boolean isLeading() {
    lifecycle.lock();
    try {
      return term != null;
    } finally {
      lifecycle.unlock();
    }
  }

  /** The names of the controllers running now. */
  public Set<String> runningControllers() {
    lifecycle.lock();
    try {
      return new TreeSet<>(running.keySet());
    } finally {
      lifecycle.unlock();
    }
  }

  /** Stops every controller, the informers, leader election (releasing the lease) and the event writer. Idempotent. */
  @Override
  public void close() {
    LeaderElector e;
    lifecycle.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      e = elector;
    } finally {
      lifecycle.unlock();
    }
    // Outside the lock: the elector calls onStoppedLeading, which takes it.
    if (e != null) {
      e.close();
    }
    stopLeading();
    events.close();
  }

  private void startLeading() {
    lifecycle.lock();
    try {
      if (closed || term != null) {
        return;
      }
      LOG.info("{} leads: starting controllers {}", settings.identity(), registered.keySet());
      term = new Term(client, settings.resyncPeriod());
      for (String name : registered.keySet()) {
        startController(name);
      }
    } finally {
      lifecycle.unlock();
    }
  }

  private void stopLeading() {
    lifecycle.lock();
    try {
      if (term == null) {
        return;
      }
      LOG.info("{} stops leading: stopping controllers {}", settings.identity(), running.keySet());
      // In parallel: each may take up to the stop timeout.
      List<Thread> stoppers = new ArrayList<>();
      for (Supervisor s : running.values()) {
        stoppers.add(Thread.ofVirtual().name("bosun-controller-stop-" + s.name).start(s::stop));
      }
      for (Thread t : stoppers) {
        joinUninterruptibly(t);
      }
      running.clear();
      term.close();
      term = null;
    } finally {
      lifecycle.unlock();
    }
  }

  /** Called with the lock held and a term. */
  private void startController(String name) {
    List<Controller> candidates = registered.get(name);
    if (candidates == null || candidates.isEmpty()) {
      return;
    }
    if (!settings.enabled(name)) {
      LOG.info("Controller {} is disabled", name);
      return;
    }
    Controller c = candidates.get(0);
    Term t = term;
    Supervisor s = new Supervisor(c, name, () -> new Run(name, client, t, events.recorder(name + "-controller"), clock,
        settings.workersOf(name), settings.stopTimeout()), settings.stopTimeout());
    running.put(name, s);
    s.start();
  }

  private static String nameOf(Controller c) {
    try {
      String name = c.name();
      if (name == null || name.isBlank()) {
        LOG.error("Controller {} has no name; ignored", c);
        return null;
      }
      return name;
    } catch (RuntimeException e) {
      LOG.error("Controller {} failed to tell its name; ignored", c, e);
      return null;
    }
  }

  private static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}

package io.bosun.controllers.apps;

import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.DeletedFinalStateUnknown;
import io.bosun.client.informer.EventHandlerRegistration;
import io.bosun.client.informer.IndexFunction;
import io.bosun.client.informer.Indexer;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.Keys;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.workqueue.WorkQueue;
import io.bosun.controller.Controller;
import io.bosun.controller.ControllerContext;
import io.bosun.controller.EventRecorder;
import io.bosun.controller.Reconciler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * A controller context whose informer of one kind lags the API by a fixed delay: a slow watch.
 * The lagging informer keeps its own cache, fed by the shared informer's events after the delay.
 */
public final class DelayedContext implements ControllerContext {

  private final ControllerContext delegate;
  private final Class<?> delayed;
  private final Duration delay;
  private final Map<Class<?>, DelayedInformer<?>> informers = new ConcurrentHashMap<>();

  DelayedContext(ControllerContext delegate, Class<?> delayed, Duration delay) {
    this.delegate = delegate;
    this.delayed = delayed;
    this.delay = delay;
  }

  /** {@code controller} run with its {@code type} informer lagging by {@code delay}. */
  public static Controller lagging(Controller controller, Class<?> type, Duration delay) {
    return new Controller() {
      @Override
      public String name() {
        return controller.name();
      }

      @Override
      public void run(ControllerContext context) throws Exception {
        controller.run(new DelayedContext(context, type, delay));
      }
    };
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public ApiClient client() {
    return delegate.client();
  }

  @Override
  public <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type) {
    return informer(type, InformerScope.ALL);
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends KubernetesObject> SharedIndexInformer<T> informer(Class<T> type, InformerScope scope) {
    SharedIndexInformer<T> real = delegate.informer(type, scope);
    if (type != delayed) {
      return real;
    }
    return (SharedIndexInformer<T>) informers.computeIfAbsent(type, t -> new DelayedInformer<>(real));
  }

  @Override
  public boolean waitForCacheSync(SharedIndexInformer<?>... list) throws InterruptedException {
    SharedIndexInformer<?>[] real = new SharedIndexInformer<?>[list.length];
    for (int i = 0; i < list.length; i++) {
      real[i] = list[i] instanceof DelayedInformer<?> d ? d.real : list[i];
    }
    return delegate.waitForCacheSync(real);
  }

  @Override
  public EventRecorder eventRecorder() {
    return delegate.eventRecorder();
  }

  @Override
  public Clock clock() {
    return delegate.clock();
  }

  @Override
  public int workers() {
    return delegate.workers();
  }

  @Override
  public ThreadFactory threadFactory() {
    return delegate.threadFactory();
  }

  @Override
  public <K> WorkQueue<K> workQueue(String name) {
    return delegate.workQueue(name);
  }

  @Override
  public <K> void runWorkers(WorkQueue<K> queue, int workers, Reconciler<K> reconciler) throws InterruptedException {
    delegate.runWorkers(queue, workers, reconciler);
  }

  @Override
  public boolean isStopped() {
    return delegate.isStopped();
  }

  @Override
  public boolean awaitStop(Duration timeout) throws InterruptedException {
    return delegate.awaitStop(timeout);
  }

  private record Change<T>(long due, T oldObj, T newObj, boolean deleted) {}

  /** The lagging view: its own cache and handlers, fed after the delay. */
  private final class DelayedInformer<T extends KubernetesObject> implements SharedIndexInformer<T> {
    final SharedIndexInformer<T> real;
    private final Map<String, T> cache = new ConcurrentHashMap<>();
    private final Map<String, IndexFunction<? super T>> indexes = new ConcurrentHashMap<>();
    private final List<ResourceEventHandler<? super T>> handlers = new CopyOnWriteArrayList<>();
    private final LinkedBlockingQueue<Change<T>> changes = new LinkedBlockingQueue<>();
    private volatile String lastRv = "";

    DelayedInformer(SharedIndexInformer<T> real) {
      this.real = real;
      for (T obj : real.indexer().list()) {
        cache.put(Keys.of(obj), obj);
      }
      real.addEventHandler(new ResourceEventHandler<>() {
        @Override
        public void onAdd(T obj, boolean initial) {
          changes.add(new Change<>(due(), null, obj, false));
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
          changes.add(new Change<>(due(), oldObj, newObj, false));
        }

        @Override
        public void onDelete(T obj) {
          changes.add(new Change<>(due(), obj, obj, true));
        }

        @Override
        public void onDeleteFinalStateUnknown(DeletedFinalStateUnknown<T> tombstone) {
          onDelete(tombstone.object());
        }
      });
      delegate.threadFactory().newThread(this::deliver).start();
    }

    private long due() {
      return System.nanoTime() + delay.toNanos();
    }

    private void deliver() {
      try {
        while (!delegate.isStopped()) {
          Change<T> c = changes.poll(100, TimeUnit.MILLISECONDS);
          if (c == null) {
            continue;
          }
          long wait = c.due() - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
          String key = Keys.of(c.newObj());
          if (c.deleted()) {
            cache.remove(key);
          } else {
            cache.put(key, c.newObj());
          }
          String rv = c.newObj().getMetadata().getResourceVersion();
          lastRv = rv == null ? lastRv : rv;
          for (ResourceEventHandler<? super T> h : handlers) {
            if (c.deleted()) {
              h.onDelete(c.newObj());
            } else if (c.oldObj() == null) {
              h.onAdd(c.newObj(), false);
            } else {
              h.onUpdate(c.oldObj(), c.newObj());
            }
          }
        }
      } catch (InterruptedException e) {
        // Stopping.
      }
    }

    @Override
    public Class<T> type() {
      return real.type();
    }

    @Override
    public InformerScope scope() {
      return real.scope();
    }

    @Override
    public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler) {
      for (T obj : cache.values()) {
        handler.onAdd(obj, true);
      }
      handlers.add(handler);
      return new EventHandlerRegistration() {
        @Override
        public boolean hasSynced() {
          return true;
        }

        @Override
        public void remove() {
          handlers.remove(handler);
        }
      };
    }

    @Override
    public EventHandlerRegistration addEventHandler(ResourceEventHandler<? super T> handler, Duration resyncPeriod) {
      return addEventHandler(handler);
    }

    @Override
    public Indexer<T> indexer() {
      return new Indexer<>() {
        @Override
        public void addIndexer(String name, IndexFunction<? super T> function) {
          indexes.putIfAbsent(name, function);
        }

        @Override
        public List<T> byIndex(String indexName, String value) {
          IndexFunction<? super T> f = indexes.get(indexName);
          List<T> out = new ArrayList<>();
          for (T obj : cache.values()) {
            Collection<String> values = f.values(obj);
            if (values != null && values.contains(value)) {
              out.add(obj);
            }
          }
          return out;
        }

        @Override
        public List<String> indexKeys(String indexName, String value) {
          return byIndex(indexName, value).stream().map(Keys::of).toList();
        }

        @Override
        public Set<String> indexValues(String indexName) {
          Set<String> out = new HashSet<>();
          cache.values().forEach(o -> out.addAll(indexes.get(indexName).values(o)));
          return out;
        }

        @Override
        public Optional<T> get(String namespace, String name) {
          return Optional.ofNullable(cache.get(Keys.of(namespace, name)));
        }

        @Override
        public Optional<T> getByKey(String key) {
          return Optional.ofNullable(cache.get(key));
        }

        @Override
        public List<T> list() {
          return new ArrayList<>(cache.values());
        }

        @Override
        public List<T> list(String namespace) {
          return cache.values().stream().filter(o -> namespace == null || namespace.isEmpty()
              || namespace.equals(o.getMetadata().getNamespace())).toList();
        }

        @Override
        public List<T> list(String namespace, LabelSelector selector) {
          return list(namespace).stream().filter(o -> selector.matches(o.getMetadata().getLabels() == null
              ? Map.of() : o.getMetadata().getLabels())).toList();
        }

        @Override
        public List<String> listKeys() {
          return new ArrayList<>(cache.keySet());
        }
      };
    }

    @Override
    public boolean hasSynced() {
      return real.hasSynced();
    }

    @Override
    public boolean waitForCacheSync(Duration timeout) {
      return real.waitForCacheSync(timeout);
    }

    @Override
    public String lastSyncResourceVersion() {
      return lastRv;
    }
  }
}

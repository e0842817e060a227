package io.bosun.client.informer;

import io.bosun.api.labels.LabelSelector;
import io.bosun.api.meta.v1.KubernetesObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The cache of one informer: objects by key plus secondary indexes, under one read-write lock. */
final class ThreadSafeIndexer<T extends KubernetesObject> implements Indexer<T> {

  private static final Logger LOG = LoggerFactory.getLogger(ThreadSafeIndexer.class);

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, T> items = new HashMap<>();
  private final Map<String, IndexFunction<? super T>> functions = new HashMap<>();
  /** index name → index value → keys. */
  private final Map<String, Map<String, Set<String>>> indices = new HashMap<>();

  ThreadSafeIndexer() {
    addIndexer(NAMESPACE_INDEX, obj -> {
      String ns = obj.getMetadata() == null ? null : obj.getMetadata().getNamespace();
      return ns == null || ns.isEmpty() ? List.of() : List.of(ns);
    });
  }

  // ------------------------------------------------------------------ writes (informer only)

  /** Stores {@code obj}; returns the object it replaced, or null. */
  T put(T obj) {
    String key = Keys.of(obj);
    lock.writeLock().lock();
    try {
      T old = items.put(key, obj);
      if (old != null) {
        unindex(key, old);
      }
      index(key, obj);
      return old;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** Removes the object under {@code key}; returns it, or null if there was none. */
  T remove(String key) {
    lock.writeLock().lock();
    try {
      T old = items.remove(key);
      if (old != null) {
        unindex(key, old);
      }
      return old;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private void index(String key, T obj) {
    functions.forEach((name, f) -> {
      Map<String, Set<String>> index = indices.get(name);
      for (String v : values(name, f, obj)) {
        index.computeIfAbsent(v, x -> new HashSet<>()).add(key);
      }
    });
  }

  private void unindex(String key, T obj) {
    functions.forEach((name, f) -> {
      Map<String, Set<String>> index = indices.get(name);
      for (String v : values(name, f, obj)) {
        Set<String> keys = index.get(v);
        if (keys != null) {
          keys.remove(key);
          if (keys.isEmpty()) {
            index.remove(v);
          }
        }
      }
    });
  }

  private Collection<String> values(String name, IndexFunction<? super T> f, T obj) {
    try {
      Collection<String> v = f.values(obj);
      return v == null ? List.of() : v;
    } catch (RuntimeException e) {
      // A broken index function must not take the informer down; the object is left out of it.
      LOG.warn("Index function {} failed on {}", name, Keys.of(obj), e);
      return List.of();
    }
  }

  // ------------------------------------------------------------------ reads

  @Override
  public void addIndexer(String name, IndexFunction<? super T> function) {
    lock.writeLock().lock();
    try {
      if (functions.containsKey(name)) {
        throw new IllegalArgumentException("index " + name + " already exists");
      }
      functions.put(name, function);
      Map<String, Set<String>> index = new HashMap<>();
      indices.put(name, index);
      items.forEach((key, obj) -> {
        for (String v : values(name, function, obj)) {
          index.computeIfAbsent(v, x -> new HashSet<>()).add(key);
        }
      });
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public Optional<T> get(String namespace, String name) {
    return getByKey(Keys.of(namespace, name));
  }

  @Override
  public Optional<T> getByKey(String key) {
    lock.readLock().lock();
    try {
      return Optional.ofNullable(items.get(key));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<T> list() {
    lock.readLock().lock();
    try {
      return new ArrayList<>(items.values());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<T> list(String namespace) {
    return namespace == null || namespace.isEmpty() ? list() : byIndex(NAMESPACE_INDEX, namespace);
  }

  @Override
  public List<T> list(String namespace, LabelSelector selector) {
    List<T> all = list(namespace);
    if (selector == null || selector.isEverything()) {
      return all;
    }
    all.removeIf(obj -> {
      Map<String, String> labels = obj.getMetadata() == null ? null : obj.getMetadata().getLabels();
      return !selector.matches(labels == null ? Map.of() : labels);
    });
    return all;
  }

  @Override
  public List<String> listKeys() {
    lock.readLock().lock();
    try {
      return new ArrayList<>(items.keySet());
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<T> byIndex(String indexName, String value) {
    lock.readLock().lock();
    try {
      Set<String> keys = index(indexName).getOrDefault(value, Set.of());
      List<T> out = new ArrayList<>(keys.size());
      for (String k : keys) {
        out.add(items.get(k));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<String> indexKeys(String indexName, String value) {
    lock.readLock().lock();
    try {
      return new ArrayList<>(index(indexName).getOrDefault(value, Set.of()));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Set<String> indexValues(String indexName) {
    lock.readLock().lock();
    try {
      return new HashSet<>(index(indexName).keySet());
    } finally {
      lock.readLock().unlock();
    }
  }

  private Map<String, Set<String>> index(String name) {
    Map<String, Set<String>> index = indices.get(name);
    if (index == null) {
      throw new IllegalArgumentException("no index " + name);
    }
    return index;
  }
}

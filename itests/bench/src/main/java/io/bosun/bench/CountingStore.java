package io.bosun.bench;

import io.bosun.store.spi.KeyValueStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the API server's calls into its store by method, to tell how many store round trips one
 * REST create costs (on etcd each one is a network round trip, reads included: they are linearizable).
 */
final class CountingStore implements InvocationHandler {

  private final KeyValueStore store;
  private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

  private CountingStore(KeyValueStore store) {
    this.store = store;
  }

  /** A store that counts its calls; {@link #of(KeyValueStore)} finds the counts again. */
  static KeyValueStore wrap(KeyValueStore store) {
    return (KeyValueStore) Proxy.newProxyInstance(KeyValueStore.class.getClassLoader(),
        new Class<?>[] {KeyValueStore.class}, new CountingStore(store));
  }

  static CountingStore of(KeyValueStore proxy) {
    return (CountingStore) Proxy.getInvocationHandler(proxy);
  }

  KeyValueStore store() {
    return store;
  }

  @Override
  public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
    if (method.getDeclaringClass() == KeyValueStore.class) {
      calls.computeIfAbsent(method.getName(), k -> new LongAdder()).increment();
    }
    try {
      return method.invoke(store, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  /** Calls so far by method name. */
  Map<String, Long> snapshot() {
    Map<String, Long> s = new TreeMap<>();
    calls.forEach((k, v) -> s.put(k, v.sum()));
    return s;
  }

  /** Calls per operation between two snapshots, e.g. "get 1.00, create 1.00". */
  static String perOperation(Map<String, Long> before, Map<String, Long> after, long operations) {
    StringBuilder sb = new StringBuilder();
    after.forEach((k, v) -> {
      double per = (v - before.getOrDefault(k, 0L)) / (double) operations;
      if (per >= 0.005) {
        sb.append(sb.isEmpty() ? "" : ", ").append(String.format("%s %.2f", k, per));
      }
    });
    return sb.toString();
  }
}

package io.bosun.apiserver.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;

/**
 * The API server's metrics, named and labelled as upstream's so existing dashboards apply:
 * request counts and latencies per verb and resource, storage latencies, and long-running
 * watches. Registered in the runtime's shared registry for as long as the server runs.
 */
public final class ApiMetrics implements AutoCloseable {

  private static final double[] REQUEST_BUCKETS = {0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2,
      3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60};
  private static final double[] STORE_BUCKETS = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4,
      0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 10, 15, 30, 60};

  private final PrometheusRegistry registry;
  private final Counter requests;
  private final Histogram requestLatency;
  private final Histogram storeLatency;
  private final Gauge longRunning;
  private final Gauge watchers;
  private final Counter watchEvents;

  public ApiMetrics(PrometheusRegistry registry) {
    this.registry = registry;
    requests = Counter.builder().name("apiserver_request_total")
        .help("Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, "
            + "scope, component, and HTTP response code.")
        .labelNames("verb", "group", "version", "resource", "subresource", "scope", "component", "code")
        .register(registry);
    requestLatency = Histogram.builder().name("apiserver_request_duration_seconds")
        .help("Response latency distribution in seconds for each verb, group, version, resource, subresource, "
            + "scope and component.")
        .labelNames("verb", "group", "version", "resource", "subresource", "scope", "component")
        .classicOnly().classicUpperBounds(REQUEST_BUCKETS).register(registry);
    storeLatency = Histogram.builder().name("etcd_request_duration_seconds")
        .help("Storage request latency in seconds for each operation and object type (whatever the store backend).")
        .labelNames("operation", "type")
        .classicOnly().classicUpperBounds(STORE_BUCKETS).register(registry);
    longRunning = Gauge.builder().name("apiserver_longrunning_requests")
        .help("Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, "
            + "scope and component.")
        .labelNames("verb", "group", "version", "resource", "subresource", "scope", "component")
        .register(registry);
    watchers = Gauge.builder().name("apiserver_registered_watchers")
        .help("Number of currently registered watchers for a given resources")
        .labelNames("group", "version", "kind").register(registry);
    watchEvents = Counter.builder().name("apiserver_watch_events_total")
        .help("Number of events sent in watch clients").labelNames("group", "version", "kind").register(registry);
  }

  /** Records one finished request. */
  public void request(RequestLabels l, int code, long startNanos) {
    requests.labelValues(l.verb(), l.group(), l.version(), l.resource(), l.subresource(), l.scope(), "apiserver",
        Integer.toString(code)).inc();
    requestLatency.labelValues(l.verb(), l.group(), l.version(), l.resource(), l.subresource(), l.scope(), "apiserver")
        .observe((System.nanoTime() - startNanos) / 1e9);
  }

  /** Records one store call. */
  public void storeRequest(String operation, String type, long startNanos) {
    storeLatency.labelValues(operation, type).observe((System.nanoTime() - startNanos) / 1e9);
  }

  /** Counts a watch in or out; {@code delta} is +1 or -1. */
  public void watch(RequestLabels l, String kind, int delta) {
    longRunning.labelValues("WATCH", l.group(), l.version(), l.resource(), l.subresource(), l.scope(), "apiserver")
        .inc(delta);
    watchers.labelValues(l.group(), l.version(), kind).inc(delta);
  }

  public void watchEvents(RequestLabels l, String kind, int count) {
    watchEvents.labelValues(l.group(), l.version(), kind).inc(count);
  }

  @Override
  public void close() {
    for (var c : List.of(requests, requestLatency, storeLatency, longRunning, watchers, watchEvents)) {
      registry.unregister(c);
    }
  }

  /** The request labels upstream uses; empty strings where a label does not apply. */
  public record RequestLabels(String verb, String group, String version, String resource, String subresource,
      String scope) {
    public static final RequestLabels NONE = new RequestLabels("", "", "", "", "", "");
  }
}

package io.bosun.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.osgi.service.component.annotations.Component;

/**
 * The one Prometheus registry of a runtime. Every component that exports metrics references this
 * service, registers its collectors on activation and unregisters them on deactivation, so a
 * hot-swapped bundle never leaves stale series behind. The API server's {@code /metrics}
 * endpoint scrapes it.
 *
 * <p>The registry lives exactly as long as this component; if this bundle is updated, every
 * component holding a static reference to it is reactivated and registers its metrics again.
 */
@Component(service = PrometheusRegistry.class)
public class MetricsRegistryComponent extends PrometheusRegistry {
}

package io.bosun.itests.pax;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.framework.Version;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;

/** What the hot-swap tests do to bundles and how they tell what else changed. Inside the framework only. */
final class Swaps {

    static final String APISERVER_BUNDLE = "io.bosun.apiserver";
    static final String STORE_BUNDLE = "io.bosun.store.embedded";
    static final String APISERVER_COMPONENT = "io.bosun.apiserver.ApiServerComponent";
    /** By name: the probe need not wire to the SPI packages to look at their services. */
    static final String STORE_SERVICE = "io.bosun.store.spi.KeyValueStore";
    static final String METRICS_SERVICE = "io.prometheus.metrics.model.registry.PrometheusRegistry";

    private Swaps() {
    }

    static Bundle bundle(BundleContext context, String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow(() -> new AssertionError("no bundle " + symbolicName + " in the runtime"));
    }

    /**
     * The bundle's own jar (read from its location) with {@code suffix} appended to its version's
     * qualifier, so that the updated bundle is visibly the new one (the API server reports its
     * bundle version in /version).
     */
    static byte[] withVersionSuffix(Bundle bundle, String suffix) throws IOException {
        Version old = bundle.getVersion();
        Version next = nextVersion(old, suffix);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (InputStream in = URI.create(bundle.getLocation()).toURL().openStream();
                JarInputStream jar = new JarInputStream(in)) {
            Manifest manifest = jar.getManifest();
            if (manifest == null) {
                throw new AssertionError(bundle.getLocation() + " has no manifest as its first entries");
            }
            manifest.getMainAttributes().putValue(Constants.BUNDLE_VERSION, next.toString());
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry = jar.getNextJarEntry(); entry != null; entry = jar.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    jar.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    static Version nextVersion(Version old, String suffix) {
        return new Version(old.getMajor(), old.getMinor(), old.getMicro(),
                old.getQualifier().isEmpty() ? suffix : old.getQualifier() + "-" + suffix);
    }

    /** Every bundle but {@code except}: id, name, version, state and last modification, to compare before and after. */
    static Map<Long, String> bundlesExcept(BundleContext context, Bundle except) {
        Map<Long, String> all = new LinkedHashMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() != except.getBundleId()) {
                all.put(b.getBundleId(), b.getSymbolicName() + " " + b.getVersion() + " state " + b.getState()
                        + " modified " + b.getLastModified());
            }
        }
        return all;
    }

    /** The service.id of the one service registered under {@code objectClass}, or -1 when there is none. */
    static long serviceId(BundleContext context, String objectClass) {
        ServiceReference<?> reference = serviceReference(context, objectClass);
        return reference == null ? -1 : (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    static ServiceReference<?> serviceReference(BundleContext context, String objectClass) {
        try {
            ServiceReference<?>[] references = context.getAllServiceReferences(objectClass, null);
            if (references == null) {
                return null;
            }
            if (references.length > 1) {
                throw new AssertionError(references.length + " services " + objectClass + ": "
                        + Arrays.toString(references));
            }
            return references[0];
        } catch (InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The service.id of the store service the active API server component is bound to, or -1
     * when the component is not active.
     */
    static long apiServerStoreBinding(BundleContext context) {
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        if (ref == null) {
            throw new AssertionError("no ServiceComponentRuntime");
        }
        ServiceComponentRuntime scr = context.getService(ref);
        try {
            for (ComponentDescriptionDTO description : scr.getComponentDescriptionDTOs()) {
                if (!APISERVER_COMPONENT.equals(description.name)) {
                    continue;
                }
                for (ComponentConfigurationDTO configuration : scr.getComponentConfigurationDTOs(description)) {
                    if (configuration.state != ComponentConfigurationDTO.ACTIVE) {
                        continue;
                    }
                    for (SatisfiedReferenceDTO reference : configuration.satisfiedReferences) {
                        for (ServiceReferenceDTO bound : reference.boundServices) {
                            Object classes = bound.properties.get(Constants.OBJECTCLASS);
                            if (classes instanceof String[] names && Arrays.asList(names).contains(STORE_SERVICE)) {
                                return bound.id;
                            }
                        }
                    }
                }
            }
            return -1;
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * Records bundle lifecycle events synchronously: the swapped bundle's, and (what must stay
     * empty) any other bundle's.
     */
    static final class BundleEvents implements SynchronousBundleListener, AutoCloseable {
        private final BundleContext context;
        private final long swapped;
        private final List<String> swappedEvents = new ArrayList<>();
        private final List<String> otherEvents = new ArrayList<>();

        BundleEvents(BundleContext context, Bundle swapped) {
            this.context = context;
            this.swapped = swapped.getBundleId();
            context.addBundleListener(this);
        }

        @Override
        public synchronized void bundleChanged(BundleEvent event) {
            String text = name(event.getType()) + " " + event.getBundle().getSymbolicName() + " "
                    + event.getBundle().getVersion();
            (event.getBundle().getBundleId() == swapped ? swappedEvents : otherEvents).add(text);
        }

        synchronized List<String> swapped() {
            return List.copyOf(swappedEvents);
        }

        synchronized List<String> others() {
            return List.copyOf(otherEvents);
        }

        @Override
        public void close() {
            context.removeBundleListener(this);
        }

        private static String name(int type) {
            return switch (type) {
                case BundleEvent.INSTALLED -> "INSTALLED";
                case BundleEvent.RESOLVED -> "RESOLVED";
                case BundleEvent.STARTING -> "STARTING";
                case BundleEvent.STARTED -> "STARTED";
                case BundleEvent.STOPPING -> "STOPPING";
                case BundleEvent.STOPPED -> "STOPPED";
                case BundleEvent.UPDATED -> "UPDATED";
                case BundleEvent.UNRESOLVED -> "UNRESOLVED";
                case BundleEvent.UNINSTALLED -> "UNINSTALLED";
                case BundleEvent.LAZY_ACTIVATION -> "LAZY_ACTIVATION";
                default -> "EVENT " + type;
            };
        }
    }

    /** Null when equal, else the entries that differ: for assertion messages. */
    static String difference(Map<Long, String> before, Map<Long, String> after) {
        List<String> changes = new ArrayList<>();
        for (Map.Entry<Long, String> e : before.entrySet()) {
            String now = after.get(e.getKey());
            if (!Objects.equals(e.getValue(), now)) {
                changes.add("bundle " + e.getKey() + ": " + e.getValue() + " -> " + (now == null ? "gone" : now));
            }
        }
        after.keySet().stream().filter(id -> !before.containsKey(id))
                .forEach(id -> changes.add("bundle " + id + ": new " + after.get(id)));
        return changes.isEmpty() ? null : String.join("; ", changes);
    }
}

/**
 * Shared informers, as client-go's {@code tools/cache}: a {@link io.bosun.client.informer.SharedIndexInformer}
 * lists and watches one kind, keeps an indexed in-memory cache of it that it brings back in line
 * after every watch failure, and tells {@link io.bosun.client.informer.ResourceEventHandler}s
 * about every change. {@link io.bosun.client.informer.SharedInformerFactory} shares one informer
 * per kind and scope among the parts of a component.
 *
 * <p>The objects an informer hands out (from listers, indexers and handlers) are its cached
 * instances, shared with every other reader: never modify them. Make a {@code deepCopy()} (every
 * model class has one) before changing an object, for example to send an update.
 */
@Export
@Version("1.0.0")
package io.bosun.client.informer;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;

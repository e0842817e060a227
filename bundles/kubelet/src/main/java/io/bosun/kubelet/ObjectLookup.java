package io.bosun.kubelet;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.client.ApiClient;
import io.bosun.client.informer.InformerScope;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The ConfigMaps, Secrets and RuntimeClasses pods refer to. ConfigMaps and Secrets are watched per
 * namespace, from the first time a pod of that namespace asks (upstream's watch-based object
 * manager, without the per-object bookkeeping); until a namespace's cache has synced, reads go
 * to the API server. A change is reported to {@code onChange} with the object's namespace and
 * name, so pods that use it sync again (projected volumes follow the change).
 */
final class ObjectLookup {

  private final ApiClient client;
  private final SharedInformerFactory informers;
  private final Consumer<KubernetesObject> onChange;
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final SharedIndexInformer<RuntimeClass> runtimeClasses;

  ObjectLookup(ApiClient client, SharedInformerFactory informers, Consumer<KubernetesObject> onChange) {
    this.client = client;
    this.informers = informers;
    this.onChange = onChange;
    this.runtimeClasses = informers.informerFor(RuntimeClass.class);
  }

  Optional<ConfigMap> configMap(String namespace, String name) {
    return get(ConfigMap.class, namespace, name);
  }

  Optional<Secret> secret(String namespace, String name) {
    return get(Secret.class, namespace, name);
  }

  Optional<RuntimeClass> runtimeClass(String name) {
    if (runtimeClasses.hasSynced()) {
      return runtimeClasses.indexer().getByKey(name);
    }
    return client.resources(RuntimeClass.class).get(null, name);
  }

  private <T extends KubernetesObject> Optional<T> get(Class<T> type, String namespace, String name) {
    SharedIndexInformer<T> informer = watch(type, namespace);
    if (informer.hasSynced()) {
      return informer.indexer().getByKey(namespace + "/" + name);
    }
    return client.resources(type).get(namespace, name);
  }

  private <T extends KubernetesObject> SharedIndexInformer<T> watch(Class<T> type, String namespace) {
    SharedIndexInformer<T> informer = informers.informerFor(type, InformerScope.namespace(namespace));
    if (watched.add(type.getSimpleName() + "/" + namespace)) {
      informer.addEventHandler(new ResourceEventHandler<T>() {
        @Override
        public void onAdd(T obj, boolean initial) {
          if (!initial) {
            onChange.accept(obj);
          }
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
          if (!java.util.Objects.equals(oldObj.getMetadata().getResourceVersion(),
              newObj.getMetadata().getResourceVersion())) {
            onChange.accept(newObj);
          }
        }

        @Override
        public void onDelete(T obj) {
          onChange.accept(obj);
        }
      });
      informers.start();
      informer.waitForCacheSync(Duration.ofSeconds(2));
    }
    return informer;
  }
}

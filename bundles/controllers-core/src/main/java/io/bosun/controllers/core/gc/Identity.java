package io.bosun.controllers.core.gc;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;

/**
 * Who an object is, as upstream's GC {@code objectReference}: an owner reference's coordinates
 * (apiVersion, kind, name, uid) plus the namespace ("" for cluster-scoped objects, and for owners
 * of unknown scope the namespace of the object naming them).
 */
record Identity(String apiVersion, String kind, String namespace, String name, String uid) {

  Identity {
    apiVersion = apiVersion == null ? "" : apiVersion;
    kind = kind == null ? "" : kind;
    namespace = namespace == null ? "" : namespace;
    name = name == null ? "" : name;
    uid = uid == null ? "" : uid;
  }

  static Identity of(KubernetesObject obj, String apiVersion, String kind) {
    ObjectMeta m = obj.getMetadata();
    return new Identity(apiVersion, kind, m.getNamespace(), m.getName(), m.getUid());
  }

  /** The owner named by {@code ref}, placed in {@code namespace}. */
  static Identity ofOwner(OwnerReference ref, String namespace) {
    return new Identity(ref.getApiVersion(), ref.getKind(), namespace, ref.getName(), ref.getUid());
  }

  /** Whether {@code ref} names this object by all its coordinates. */
  boolean matches(OwnerReference ref) {
    return apiVersion.equals(ref.getApiVersion()) && kind.equals(ref.getKind()) && name.equals(ref.getName())
        && uid.equals(ref.getUid());
  }

  Identity withNamespace(String ns) {
    return new Identity(apiVersion, kind, ns, name, uid);
  }

  @Override
  public String toString() {
    return "[" + apiVersion + "/" + kind + ", namespace: " + namespace + ", name: " + name + ", uid: " + uid + "]";
  }
}

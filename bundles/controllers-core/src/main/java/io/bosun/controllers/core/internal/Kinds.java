package io.bosun.controllers.core.internal;

import io.bosun.api.meta.v1.KubernetesObject;
import io.bosun.api.schema.ApiSchema;
import io.bosun.api.schema.KindInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The served kinds with their model classes, from the API bundle's schema. Immutable. */
public final class Kinds {

  /** A served kind and the class the client reads it as. */
  public record Served(KindInfo info, Class<? extends KubernetesObject> type) {}

  private final List<Served> all;
  private final Map<String, Served> byApiVersionKind = new HashMap<>();

  private Kinds(List<Served> all) {
    this.all = List.copyOf(all);
    for (Served s : all) {
      byApiVersionKind.put(s.info().apiVersion() + "/" + s.info().kind(), s);
    }
  }

  /** Reads the schema generated into the API bundle. */
  public static Kinds load() {
    ApiSchema schema = ApiSchema.load();
    List<Served> out = new ArrayList<>();
    for (KindInfo k : schema.kinds()) {
      Class<?> c = schema.javaClass(schema.type(k.typeName()));
      out.add(new Served(k, c.asSubclass(KubernetesObject.class)));
    }
    return new Kinds(out);
  }

  /** Every served kind, in model order. */
  public List<Served> all() {
    return all;
  }

  /** The served kind written as {@code apiVersion} and {@code kind}, if any. */
  public Optional<Served> find(String apiVersion, String kind) {
    return Optional.ofNullable(byApiVersionKind.get(apiVersion + "/" + kind));
  }
}

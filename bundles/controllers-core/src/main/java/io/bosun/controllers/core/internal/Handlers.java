package io.bosun.controllers.core.internal;

import io.bosun.client.informer.ResourceEventHandler;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** Informer handlers from lambdas, as client-go's {@code ResourceEventHandlerFuncs}. */
public final class Handlers {

  private Handlers() {
  }

  /**
   * A handler calling {@code add}, {@code update} and {@code delete} (each may be null). Missed
   * deletes (tombstones) reach {@code delete} with the last known state.
   */
  public static <T> ResourceEventHandler<T> of(Consumer<? super T> add, BiConsumer<? super T, ? super T> update,
      Consumer<? super T> delete) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj, boolean isInInitialList) {
        if (add != null) {
          add.accept(obj);
        }
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        if (update != null) {
          update.accept(oldObj, newObj);
        }
      }

      @Override
      public void onDelete(T obj) {
        if (delete != null) {
          delete.accept(obj);
        }
      }
    };
  }

  /** A handler that calls {@code any} on every add, update and delete with the new (or final) object. */
  public static <T> ResourceEventHandler<T> any(Consumer<? super T> any) {
    return of(any, (o, n) -> any.accept(n), any);
  }
}

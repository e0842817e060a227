package io.bosun.api.codec;

import java.util.List;

/**
 * A decoded object and the fields of the input the model does not know, as JSON paths such as
 * {@code spec.containers[0].imagePolicy}. Upstream drops such fields; the API server reports them
 * as warnings or, with {@code fieldValidation=Strict}, rejects the request.
 */
public record Decoded<T>(T value, List<String> unknownFields) {

  public Decoded {
    unknownFields = List.copyOf(unknownFields);
  }
}

package io.bosun.apiserver.table;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.function.BiFunction;

/** The columns of a kind and how one object fills them (wide, as the server always prints). */
record Printer(List<Column> columns, BiFunction<JsonNode, Instant, Row> row) {

  Printer {
    columns = List.copyOf(columns);
  }
}

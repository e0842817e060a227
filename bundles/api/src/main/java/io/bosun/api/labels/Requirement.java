package io.bosun.api.labels;

import java.util.List;
import java.util.Map;

/**
 * One term of a label selector: {@code key op values}.
 *
 * @param values the operand values; empty for {@link Operator#EXISTS} and
 *               {@link Operator#DOES_NOT_EXIST}, one value for equality and {@code gt}/{@code lt}
 */
public record Requirement(String key, Operator operator, List<String> values) {

  /** Upstream's selection operators. */
  public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GREATER_THAN, LESS_THAN }

  public Requirement {
    values = List.copyOf(values);
  }

  /** Whether a set of labels (null means none) satisfies this requirement. */
  public boolean matches(Map<String, String> labels) {
    String value = labels == null ? null : labels.get(key);
    boolean present = labels != null && labels.containsKey(key);
    return switch (operator) {
      case EQUALS, IN -> present && values.contains(value);
      case NOT_EQUALS, NOT_IN -> !present || !values.contains(value);
      case EXISTS -> present;
      case DOES_NOT_EXIST -> !present;
      case GREATER_THAN, LESS_THAN -> {
        if (!present) {
          yield false;
        }
        try {
          long actual = Long.parseLong(value);
          long bound = Long.parseLong(values.get(0));
          yield operator == Operator.GREATER_THAN ? actual > bound : actual < bound;
        } catch (NumberFormatException e) {
          yield false;
        }
      }
    };
  }

  @Override
  public String toString() {
    return switch (operator) {
      case EQUALS -> key + "=" + values.get(0);
      case NOT_EQUALS -> key + "!=" + values.get(0);
      case IN -> key + " in (" + String.join(",", values) + ")";
      case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
      case EXISTS -> key;
      case DOES_NOT_EXIST -> "!" + key;
      case GREATER_THAN -> key + ">" + values.get(0);
      case LESS_THAN -> key + "<" + values.get(0);
    };
  }
}

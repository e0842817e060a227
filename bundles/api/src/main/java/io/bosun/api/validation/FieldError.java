package io.bosun.api.validation;

/**
 * One validation failure, as upstream's {@code field.Error}: the API server turns a list of them
 * into a 422 Invalid {@code Status} whose causes carry {@link Type#reason()} and the field path.
 *
 * @param type     what is wrong
 * @param field    the JSON path of the field, such as {@code spec.containers[0].image} or
 *                 {@code metadata.labels[app]}
 * @param badValue the offending value (rendered into the message), or null
 * @param detail   extra explanation, or null
 */
public record FieldError(Type type, String field, Object badValue, String detail) {

  /** Upstream's error types, with the cause reason and message prefix each produces. */
  public enum Type {
    REQUIRED("FieldValueRequired", "Required value"),
    INVALID("FieldValueInvalid", "Invalid value"),
    NOT_SUPPORTED("FieldValueNotSupported", "Unsupported value"),
    DUPLICATE("FieldValueDuplicate", "Duplicate value"),
    FORBIDDEN("FieldValueForbidden", "Forbidden"),
    TOO_LONG("FieldValueTooLong", "Too long"),
    TOO_MANY("FieldValueTooMany", "Too many"),
    NOT_FOUND("FieldValueNotFound", "Not found"),
    INTERNAL("InternalError", "Internal error");

    private final String reason;
    private final String text;

    Type(String reason, String text) {
      this.reason = reason;
      this.text = text;
    }

    /** The {@code StatusCause.reason}. */
    public String reason() {
      return reason;
    }

    /** The message prefix, such as {@code Invalid value}. */
    public String text() {
      return text;
    }
  }

  public static FieldError required(String field, String detail) {
    return new FieldError(Type.REQUIRED, field, null, detail);
  }

  public static FieldError invalid(String field, Object badValue, String detail) {
    return new FieldError(Type.INVALID, field, badValue, detail);
  }

  public static FieldError notSupported(String field, Object badValue, java.util.Collection<String> supported) {
    String detail = supported == null || supported.isEmpty() ? null
        : "supported values: " + String.join(", ", supported.stream().map(s -> "\"" + s + "\"").toList());
    return new FieldError(Type.NOT_SUPPORTED, field, badValue, detail);
  }

  public static FieldError duplicate(String field, Object badValue) {
    return new FieldError(Type.DUPLICATE, field, badValue, null);
  }

  public static FieldError forbidden(String field, String detail) {
    return new FieldError(Type.FORBIDDEN, field, null, detail);
  }

  public static FieldError tooLong(String field, Object badValue, int max) {
    return new FieldError(Type.TOO_LONG, field, badValue, "may not be more than " + max + " bytes");
  }

  public static FieldError notFound(String field, Object badValue) {
    return new FieldError(Type.NOT_FOUND, field, badValue, null);
  }

  /** upstream's {@code field.TooMany}: {@code Too many: 1001: must have at most 1000 items}. */
  public static FieldError tooMany(String field, int actual, int max) {
    return new FieldError(Type.TOO_MANY, field, actual, "must have at most " + max + (max == 1 ? " item" : " items"));
  }

  public static FieldError internal(String field, String detail) {
    return new FieldError(Type.INTERNAL, field, null, detail);
  }

  /**
   * The cause message as upstream renders it (without the field), e.g.
   * {@code Invalid value: "Foo": a lowercase RFC 1123 label must consist of ...}.
   */
  public String message() {
    StringBuilder b = new StringBuilder(type.text());
    boolean showValue = switch (type) {
      case INVALID, NOT_SUPPORTED, DUPLICATE, TOO_LONG, TOO_MANY, NOT_FOUND -> true;
      default -> false;
    };
    if (showValue && type != Type.TOO_LONG) {
      b.append(": ").append(render(badValue));
    }
    if (detail != null && !detail.isEmpty()) {
      b.append(": ").append(detail);
    }
    return b.toString();
  }

  /** {@code field: message}, as in a 422 Status message. */
  @Override
  public String toString() {
    return field + ": " + message();
  }

  private static String render(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
    return String.valueOf(value);
  }
}

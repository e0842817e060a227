package io.bosun.api.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Upstream's string format checks ({@code k8s.io/apimachinery/pkg/util/validation} and
 * {@code pkg/api/validation/path}) with their exact messages. Each check returns the list of
 * detail messages (empty when the value is valid), to be wrapped into {@link FieldError}s with
 * the field path and the bad value, as upstream does.
 *
 * <p>The {@code name...} methods are upstream's {@code ValidateNameFunc}s: with {@code prefix}
 * true they check a {@code generateName} prefix, where a trailing dash is allowed.
 * {@link #forKind(String)} gives the name rule of each served kind; the API server can use it
 * for names in URLs.
 */
public final class NameRules {

  /** A name validation function: the detail messages for {@code name}, empty when valid. */
  @FunctionalInterface
  public interface NameRule {
    List<String> validate(String name, boolean prefix);
  }

  public static final int DNS1123_LABEL_MAX_LENGTH = 63;
  public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
  public static final int DNS1035_LABEL_MAX_LENGTH = 63;
  public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
  public static final int LABEL_VALUE_MAX_LENGTH = 63;

  private static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric "
      + "characters or '-', and must start and end with an alphanumeric character";
  private static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
  private static final String DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case "
      + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  private static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
  private static final String DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters "
      + "or '-', start with an alphabetic character, and end with an alphanumeric character";
  private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
  private static final String QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must "
      + "start and end with an alphanumeric character";
  private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
  private static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric "
      + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  private static final String C_IDENTIFIER_FMT = "[A-Za-z_][A-Za-z0-9_]*";
  private static final String C_IDENTIFIER_ERR = "a valid C identifier must start with alphabetic character or '_', "
      + "followed by a string of alphanumeric characters or '_'";
  private static final String CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";
  private static final String CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', "
      + "'_' or '.'";
  private static final String PERCENT_FMT = "[0-9]+%";
  private static final String PERCENT_ERR = "a valid percent string must be a numeric string followed by an ending '%'";
  private static final String HTTP_HEADER_NAME_FMT = "[-A-Za-z0-9]+";
  private static final String HTTP_HEADER_NAME_ERR = "a valid HTTP header must consist of alphanumeric characters or '-'";
  private static final String RELAXED_ENV_VAR_NAME_ERR = "a valid environment variable name must consist only of "
      + "printable ASCII characters other than '='";

  private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
  private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
  private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
  private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
  private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
  private static final Pattern C_IDENTIFIER = Pattern.compile(C_IDENTIFIER_FMT);
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile(CONFIG_MAP_KEY_FMT);
  private static final Pattern PERCENT = Pattern.compile(PERCENT_FMT);
  private static final Pattern HTTP_HEADER_NAME = Pattern.compile(HTTP_HEADER_NAME_FMT);
  private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
  private static final Pattern PORT_NAME_ONE_LETTER = Pattern.compile(".*[a-z].*");

  /** upstream's {@code NameIsDNSSubdomain}: pods, nodes, config maps, secrets, workloads ... */
  public static final NameRule DNS_SUBDOMAIN = (name, prefix) -> isDns1123Subdomain(prefix ? maskTrailingDash(name) : name);
  /** upstream's {@code NameIsDNSLabel}: namespaces. */
  public static final NameRule DNS_LABEL = (name, prefix) -> isDns1123Label(prefix ? maskTrailingDash(name) : name);
  /** upstream's {@code NameIsDNS1035Label}: services. */
  public static final NameRule DNS1035_LABEL_RULE =
      (name, prefix) -> isDns1035Label(prefix ? maskTrailingDash(name) : name);
  /** upstream's {@code ValidatePathSegmentName}: the generic rule, persistent volumes and claims. */
  public static final NameRule PATH_SEGMENT = (name, prefix) -> prefix ? isValidPathSegmentPrefix(name)
      : isValidPathSegmentName(name);

  private NameRules() {
  }

  /**
   * The name rule upstream applies to objects of {@code kind} (the kinds of this model; any other
   * kind gets the generic path segment rule, as upstream's generic registry does).
   */
  public static NameRule forKind(String kind) {
    return switch (kind == null ? "" : kind) {
      case "Namespace" -> DNS_LABEL;
      case "Service" -> DNS1035_LABEL_RULE;
      case "PersistentVolume", "PersistentVolumeClaim", "PodDisruptionBudget" -> PATH_SEGMENT;
      case "Pod", "Node", "ConfigMap", "Secret", "ServiceAccount", "Endpoints", "Event", "Deployment", "ReplicaSet",
          "DaemonSet", "StatefulSet", "ControllerRevision", "Job", "CronJob", "Lease", "PriorityClass",
          "EndpointSlice", "RuntimeClass" -> DNS_SUBDOMAIN;
      default -> PATH_SEGMENT;
    };
  }

  // ------------------------------------------------------------------ apimachinery util/validation

  public static List<String> isDns1123Label(String value) {
    List<String> errs = new ArrayList<>();
    if (len(value) > DNS1123_LABEL_MAX_LENGTH) {
      errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
    }
    if (!DNS1123_LABEL.matcher(value).matches()) {
      if (DNS1123_SUBDOMAIN.matcher(value).matches()) {
        errs.add("must not contain dots");
      } else {
        errs.add(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
      }
    }
    return errs;
  }

  public static List<String> isDns1123Subdomain(String value) {
    List<String> errs = new ArrayList<>();
    if (len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
      errs.add(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
    }
    return errs;
  }

  public static List<String> isDns1035Label(String value) {
    List<String> errs = new ArrayList<>();
    if (len(value) > DNS1035_LABEL_MAX_LENGTH) {
      errs.add(maxLenError(DNS1035_LABEL_MAX_LENGTH));
    }
    if (!DNS1035_LABEL.matcher(value).matches()) {
      errs.add(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, "my-name", "abc-123"));
    }
    return errs;
  }

  /** A label key, annotation key (lower-cased first), finalizer or other qualified name. */
  public static List<String> isQualifiedName(String value) {
    List<String> errs = new ArrayList<>();
    String[] parts = value.split("/", -1);
    String name;
    switch (parts.length) {
      case 1 -> name = parts[0];
      case 2 -> {
        String prefix = parts[0];
        name = parts[1];
        if (prefix.isEmpty()) {
          errs.add("prefix part " + emptyError());
        } else {
          for (String msg : isDns1123Subdomain(prefix)) {
            errs.add("prefix part " + msg);
          }
        }
      }
      default -> {
        errs.add("a qualified name " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
            + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        return errs;
      }
    }
    if (name.isEmpty()) {
      errs.add("name part " + emptyError());
    } else if (len(name) > QUALIFIED_NAME_MAX_LENGTH) {
      errs.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
    }
    if (!QUALIFIED_NAME.matcher(name).matches()) {
      errs.add("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
    }
    return errs;
  }

  public static List<String> isValidLabelValue(String value) {
    List<String> errs = new ArrayList<>();
    if (len(value) > LABEL_VALUE_MAX_LENGTH) {
      errs.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
    }
    if (!LABEL_VALUE.matcher(value).matches()) {
      errs.add(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
    }
    return errs;
  }

  public static List<String> isCIdentifier(String value) {
    return C_IDENTIFIER.matcher(value).matches() ? List.of()
        : List.of(regexError(C_IDENTIFIER_ERR, C_IDENTIFIER_FMT, "my_name", "MY_NAME", "MyName"));
  }

  /** An IANA service name, as container and service port names must be. */
  public static List<String> isValidPortName(String port) {
    List<String> errs = new ArrayList<>();
    if (len(port) > 15) {
      errs.add(maxLenError(15));
    }
    if (!PORT_NAME_CHARSET.matcher(port).matches()) {
      errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
    }
    if (!PORT_NAME_ONE_LETTER.matcher(port).matches()) {
      errs.add("must contain at least one letter (a-z)");
    }
    if (port.contains("--")) {
      errs.add("must not contain consecutive hyphens");
    }
    if (!port.isEmpty() && (port.charAt(0) == '-' || port.charAt(port.length() - 1) == '-')) {
      errs.add("must not begin or end with a hyphen");
    }
    return errs;
  }

  public static List<String> isValidPortNum(long port) {
    return port >= 1 && port <= 65535 ? List.of() : List.of(inclusiveRangeError(1, 65535));
  }

  public static List<String> isInRange(long value, long min, long max) {
    return value >= min && value <= max ? List.of() : List.of(inclusiveRangeError(min, max));
  }

  public static List<String> isValidUserId(long uid) {
    return isInRange(uid, 0, Integer.MAX_VALUE);
  }

  public static List<String> isValidGroupId(long gid) {
    return isInRange(gid, 0, Integer.MAX_VALUE);
  }

  public static List<String> isValidPercent(String percent) {
    return PERCENT.matcher(percent).matches() ? List.of() : List.of(regexError(PERCENT_ERR, PERCENT_FMT, "1%", "93%"));
  }

  public static List<String> isHttpHeaderName(String value) {
    return HTTP_HEADER_NAME.matcher(value).matches() ? List.of()
        : List.of(regexError(HTTP_HEADER_NAME_ERR, HTTP_HEADER_NAME_FMT, "X-Header-Name"));
  }

  /** Environment variable names as validated with RelaxedEnvironmentVariableValidation (on by default since 1.32). */
  public static List<String> isRelaxedEnvVarName(String value) {
    List<String> errs = new ArrayList<>();
    if (value.isEmpty()) {
      errs.add("environment variable name " + emptyError());
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e || c == '=') {
        errs.add(RELAXED_ENV_VAR_NAME_ERR);
        break;
      }
    }
    return errs;
  }

  /** Keys of config maps and secrets. */
  public static List<String> isConfigMapKey(String value) {
    List<String> errs = new ArrayList<>();
    if (len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
      errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
    }
    if (!CONFIG_MAP_KEY.matcher(value).matches()) {
      errs.add(regexError(CONFIG_MAP_KEY_ERR, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
    }
    errs.addAll(hasChDirPrefix(value));
    return errs;
  }

  // ------------------------------------------------------------------ path segment names

  public static List<String> isValidPathSegmentName(String name) {
    if (name.equals(".") || name.equals("..")) {
      return List.of("may not be '" + name + "'");
    }
    return isValidPathSegmentPrefix(name);
  }

  public static List<String> isValidPathSegmentPrefix(String name) {
    List<String> errs = new ArrayList<>();
    if (name.contains("/")) {
      errs.add("may not contain '/'");
    }
    if (name.contains("%")) {
      errs.add("may not contain '%'");
    }
    return errs;
  }

  // ------------------------------------------------------------------ message helpers

  public static String maxLenError(int length) {
    return "must be no more than " + length + " characters";
  }

  public static String emptyError() {
    return "must be non-empty";
  }

  public static String inclusiveRangeError(long lo, long hi) {
    return "must be between " + lo + " and " + hi + ", inclusive";
  }

  /** upstream's {@code RegexError}, including its odd spacing between examples. */
  public static String regexError(String msg, String fmt, String... examples) {
    if (examples.length == 0) {
      return msg + " (regex used for validation is '" + fmt + "')";
    }
    StringBuilder b = new StringBuilder(msg).append(" (e.g. ");
    for (int i = 0; i < examples.length; i++) {
      if (i > 0) {
        b.append(" or ");
      }
      b.append('\'').append(examples[i]).append("', ");
    }
    return b.append("regex used for validation is '").append(fmt).append("')").toString();
  }

  private static List<String> hasChDirPrefix(String value) {
    if (value.equals(".")) {
      return List.of("must not be '.'");
    }
    if (value.equals("..")) {
      return List.of("must not be '..'");
    }
    if (value.startsWith("..")) {
      return List.of("must not start with '..'");
    }
    return List.of();
  }

  /** As upstream's {@code maskTrailingDash}: a generateName may end with a dash. */
  static String maskTrailingDash(String name) {
    if (name.length() > 1 && name.endsWith("-")) {
      return name.substring(0, name.length() - 2) + "a";
    }
    return name;
  }

  /** Go's len(): bytes of the UTF-8 encoding. */
  static int len(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }
}

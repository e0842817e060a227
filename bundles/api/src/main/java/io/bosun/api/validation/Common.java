package io.bosun.api.validation;

import static io.bosun.api.validation.Paths.child;
import static io.bosun.api.validation.Paths.index;

import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.LabelSelectorRequirement;
import io.bosun.api.values.IntOrString;
import io.bosun.api.values.Quantity;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** Validation building blocks shared by the kinds, each as upstream words it. */
final class Common {

  static final String IS_NEGATIVE = "must be greater than or equal to 0";
  static final String IS_NOT_POSITIVE = "must be greater than zero";
  static final String IMMUTABLE = "field is immutable";
  static final String FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive";
  static final List<String> PORT_PROTOCOLS = List.of("SCTP", "TCP", "UDP");

  private Common() {
  }

  static boolean isEmpty(String s) {
    return s == null || s.isEmpty();
  }

  static String str(String s) {
    return s == null ? "" : s;
  }

  static int intval(Integer i) {
    return i == null ? 0 : i;
  }

  static long longval(Long l) {
    return l == null ? 0 : l;
  }

  static boolean isTrue(Boolean b) {
    return Boolean.TRUE.equals(b);
  }

  static <T> List<T> list(List<T> l) {
    return l == null ? List.of() : l;
  }

  static <V> Map<String, V> sorted(Map<String, V> m) {
    return m == null ? Map.of() : new TreeMap<>(m);
  }

  static void nonNegative(List<FieldError> errs, long value, String path) {
    if (value < 0) {
      errs.add(FieldError.invalid(path, value, IS_NEGATIVE));
    }
  }

  static void immutable(List<FieldError> errs, Object newValue, Object oldValue, String path) {
    if (!Objects.equals(normalize(newValue), normalize(oldValue))) {
      errs.add(FieldError.invalid(path, newValue, IMMUTABLE));
    }
  }

  /** Semantic equality as upstream's: empty and absent collections are equal. */
  static Object normalize(Object v) {
    if (v instanceof Collection<?> c && c.isEmpty()) {
      return null;
    }
    if (v instanceof Map<?, ?> m && m.isEmpty()) {
      return null;
    }
    return v;
  }

  static void dns1123Label(List<FieldError> errs, String value, String path) {
    for (String msg : NameRules.isDns1123Label(value)) {
      errs.add(FieldError.invalid(path, value, msg));
    }
  }

  static void dns1123Subdomain(List<FieldError> errs, String value, String path) {
    for (String msg : NameRules.isDns1123Subdomain(value)) {
      errs.add(FieldError.invalid(path, value, msg));
    }
  }

  static void qualifiedName(List<FieldError> errs, String value, String path) {
    for (String msg : NameRules.isQualifiedName(value)) {
      errs.add(FieldError.invalid(path, value, msg));
    }
  }

  static void name(List<FieldError> errs, NameRules.NameRule rule, String value, String path) {
    for (String msg : rule.validate(value, false)) {
      errs.add(FieldError.invalid(path, value, msg));
    }
  }

  /** upstream's {@code ValidateLabels}: errors carry the map's path, not the key's. */
  static void labels(List<FieldError> errs, Map<String, String> labels, String path) {
    for (var e : sorted(labels).entrySet()) {
      qualifiedName(errs, e.getKey(), path);
      for (String msg : NameRules.isValidLabelValue(str(e.getValue()))) {
        errs.add(FieldError.invalid(path, str(e.getValue()), msg));
      }
    }
  }

  static void labelSelector(List<FieldError> errs, LabelSelector selector, String path) {
    if (selector == null) {
      return;
    }
    labels(errs, selector.getMatchLabels(), child(path, "matchLabels"));
    List<LabelSelectorRequirement> exprs = list(selector.getMatchExpressions());
    for (int i = 0; i < exprs.size(); i++) {
      LabelSelectorRequirement r = exprs.get(i);
      String p = index(child(path, "matchExpressions"), i);
      List<String> values = list(r.getValues());
      switch (str(r.getOperator())) {
        case "In", "NotIn" -> {
          if (values.isEmpty()) {
            errs.add(FieldError.required(child(p, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
          }
        }
        case "Exists", "DoesNotExist" -> {
          if (!values.isEmpty()) {
            errs.add(FieldError.forbidden(child(p, "values"),
                "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
          }
        }
        default -> errs.add(FieldError.invalid(child(p, "operator"), str(r.getOperator()), "not a valid selector operator"));
      }
      qualifiedName(errs, str(r.getKey()), child(p, "key"));
      for (int j = 0; j < values.size(); j++) {
        for (String msg : NameRules.isValidLabelValue(str(values.get(j)))) {
          errs.add(FieldError.invalid(index(child(p, "values"), j), values.get(j), msg));
        }
      }
    }
  }

  /** Whether the selector, as upstream's {@code LabelSelectorAsSelector}, matches {@code labels}. */
  static boolean selectorMatches(LabelSelector selector, Map<String, String> labels) {
    try {
      return io.bosun.api.labels.LabelSelector.fromSpec(selector).matches(labels == null ? Map.of() : labels);
    } catch (io.bosun.api.labels.SelectorException e) {
      return false;
    }
  }

  static boolean selectorParses(LabelSelector selector) {
    try {
      io.bosun.api.labels.LabelSelector.fromSpec(selector);
      return true;
    } catch (io.bosun.api.labels.SelectorException e) {
      return false;
    }
  }

  static boolean selectorIsEmpty(LabelSelector s) {
    return s != null && (s.getMatchLabels() == null || s.getMatchLabels().isEmpty())
        && (s.getMatchExpressions() == null || s.getMatchExpressions().isEmpty());
  }

  static void portNumOrName(List<FieldError> errs, IntOrString port, String path) {
    if (port == null) {
      port = IntOrString.of(0);
    }
    if (port.isInt()) {
      for (String msg : NameRules.isValidPortNum(port.intValue())) {
        errs.add(FieldError.invalid(path, port.intValue(), msg));
      }
    } else {
      for (String msg : NameRules.isValidPortName(port.stringValue())) {
        errs.add(FieldError.invalid(path, port.stringValue(), msg));
      }
    }
  }

  static void positiveIntOrPercent(List<FieldError> errs, IntOrString v, String path) {
    if (v == null) {
      v = IntOrString.of(0);
    }
    if (!v.isInt()) {
      for (String msg : NameRules.isValidPercent(v.stringValue())) {
        errs.add(FieldError.invalid(path, v, msg));
      }
    } else {
      nonNegative(errs, v.intValue(), path);
    }
  }

  /** upstream's {@code getIntOrPercentValue}: the number, or the percentage without '%'. */
  static int intOrPercentValue(IntOrString v) {
    if (v == null) {
      return 0;
    }
    if (v.isInt()) {
      return v.intValue();
    }
    String s = v.stringValue();
    try {
      return Integer.parseInt(s.endsWith("%") ? s.substring(0, s.length() - 1) : s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static void notMoreThan100Percent(List<FieldError> errs, IntOrString v, String path) {
    if (v == null || v.isInt() || !NameRules.isValidPercent(v.stringValue()).isEmpty()) {
      return;
    }
    if (intOrPercentValue(v) > 100) {
      errs.add(FieldError.invalid(path, v, "must not be greater than 100%"));
    }
  }

  static void ip(List<FieldError> errs, String value, String path) {
    if (Ips.parse(value) == null) {
      errs.add(FieldError.invalid(path, str(value), "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    }
  }

  static void cidr(List<FieldError> errs, String value, String path) {
    if (!Ips.isCidr(value)) {
      errs.add(FieldError.invalid(path, str(value), "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
    }
  }

  /** upstream's {@code ValidateNonSpecialIP}, for endpoints and external IPs. */
  static void nonSpecialIp(List<FieldError> errs, String value, String path) {
    byte[] ip = Ips.parse(value);
    if (ip == null) {
      errs.add(FieldError.invalid(path, str(value), "must be a valid IP address"));
      return;
    }
    if (Ips.isUnspecified(ip)) {
      errs.add(FieldError.invalid(path, value, "may not be unspecified (" + value + ")"));
    }
    if (Ips.isLoopback(ip)) {
      errs.add(FieldError.invalid(path, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    }
    if (Ips.isLinkLocalUnicast(ip)) {
      errs.add(FieldError.invalid(path, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
    }
    if (Ips.isLinkLocalMulticast(ip)) {
      errs.add(FieldError.invalid(path, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
    }
  }

  /** Whether two IPs (or CIDRs) are exactly one IPv4 and one IPv6. */
  static boolean isDualStack(List<String> ips) {
    boolean v4 = false;
    boolean v6 = false;
    for (String ip : ips) {
      String addr = ip.contains("/") ? ip.substring(0, ip.indexOf('/')) : ip;
      if (Ips.isIpv4(addr)) {
        v4 = true;
      } else if (Ips.isIpv6(addr)) {
        v6 = true;
      }
    }
    return v4 && v6;
  }

  static void nonNegativeQuantity(List<FieldError> errs, Quantity q, String path) {
    if (q != null && q.value().signum() < 0) {
      errs.add(FieldError.invalid(path, q.toString(), IS_NEGATIVE));
    }
  }

  static void positiveQuantity(List<FieldError> errs, Quantity q, String path) {
    if (q == null || q.value().signum() <= 0) {
      errs.add(FieldError.invalid(path, q == null ? "0" : q.toString(), IS_NOT_POSITIVE));
    }
  }

  static void notSupported(List<FieldError> errs, String value, String path, List<String> supported) {
    if (!supported.contains(value)) {
      errs.add(FieldError.notSupported(path, value, supported));
    }
  }

  /** Required when empty, else one of {@code supported}. */
  static void requiredOneOf(List<FieldError> errs, String value, String path, List<String> supported) {
    if (isEmpty(value)) {
      errs.add(FieldError.required(path, ""));
    } else {
      notSupported(errs, value, path, supported);
    }
  }
}

package io.bosun.kubelet;

import java.util.function.Function;

/**
 * Upstream's {@code $(VAR)} expansion ({@code third_party/forked/golang/expansion}) for env values,
 * command and args: {@code $(NAME)} is replaced by the variable's value when it is defined,
 * left as it is otherwise; {@code $$} is an escaped {@code $}; any other {@code $} stays.
 */
public final class Expansion {

  private Expansion() {
  }

  /** Expands {@code input} with {@code lookup} (null for undefined names). */
  public static String expand(String input, Function<String, String> lookup) {
    StringBuilder out = new StringBuilder(input.length());
    int i = 0;
    int n = input.length();
    while (i < n) {
      char c = input.charAt(i);
      if (c != '$' || i + 1 >= n) {
        out.append(c);
        i++;
        continue;
      }
      char next = input.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '(') {
        int close = input.indexOf(')', i + 2);
        if (close < 0) {
          // unterminated reference: upstream keeps it literally
          out.append(input, i, n);
          break;
        }
        String name = input.substring(i + 2, close);
        String value = name.isEmpty() ? null : lookup.apply(name);
        out.append(value != null ? value : input.substring(i, close + 1));
        i = close + 1;
      } else {
        out.append(c).append(next);
        i += 2;
      }
    }
    return out.toString();
  }
}

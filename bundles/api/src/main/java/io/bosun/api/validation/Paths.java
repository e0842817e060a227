package io.bosun.api.validation;

/** Field path building in upstream's {@code field.Path} notation. */
final class Paths {

  private Paths() {
  }

  static String child(String path, String... names) {
    StringBuilder b = new StringBuilder(path);
    for (String name : names) {
      if (b.length() > 0) {
        b.append('.');
      }
      b.append(name);
    }
    return b.toString();
  }

  static String index(String path, int i) {
    return path + "[" + i + "]";
  }

  static String key(String path, String key) {
    return path + "[" + key + "]";
  }
}

package io.bosun.apiserver.table;

/** One {@code TableColumnDefinition}: priority 0 shows by default, 1 only with {@code -o wide}. */
record Column(String name, String type, String format, String description, int priority) {

  static Column nameColumn() {
    return new Column("Name", "string", "name", Descriptions.NAME, 0);
  }

  static Column ageColumn() {
    return new Column("Age", "string", "", Descriptions.CREATION_TIMESTAMP, 0);
  }

  static Column of(String name, String type, String description) {
    return new Column(name, type, "", description, 0);
  }

  static Column wide(String name, String type, String description) {
    return new Column(name, type, "", description, 1);
  }
}

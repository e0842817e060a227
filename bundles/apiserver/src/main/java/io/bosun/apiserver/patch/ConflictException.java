package io.bosun.apiserver.patch;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server-side apply would change fields another manager owns, and was not forced. Upstream
 * answers 409 Conflict with {@link #getMessage()} as the Status message and one cause per
 * conflict (type {@value #CAUSE_TYPE}, {@link Conflict#message()}, {@link Conflict#field()}).
 */
public final class ConflictException extends Exception {

  private static final long serialVersionUID = 1L;

  public static final String CAUSE_TYPE = "FieldManagerConflict";

  /**
   * One conflicting field.
   *
   * @param manager     the other manager's name
   * @param operation   {@code Apply} or {@code Update}
   * @param apiVersion  the API version of an Update entry ({@code ""} for appliers)
   * @param subresource the subresource the other manager wrote through, or {@code ""}
   * @param field       the path as upstream prints it, such as {@code .spec.replicas}
   * @param message     upstream's cause message, such as {@code conflict with "kubectl-client-side-apply" using apps/v1}
   */
  public record Conflict(String manager, String operation, String apiVersion, String subresource, String field,
      String message) {}

  private final transient List<Conflict> conflicts;

  ConflictException(List<Conflict> conflicts, List<String> managerDisplays) {
    super(message(conflicts, managerDisplays), null, false, false);
    this.conflicts = List.copyOf(conflicts);
  }

  /** The conflicts, grouped by manager (sorted as upstream sorts managers), fields in path order. */
  public List<Conflict> conflicts() {
    return conflicts;
  }

  /** Always 409. */
  public int code() {
    return 409;
  }

  /** Always {@code Conflict}. */
  public String reason() {
    return "Conflict";
  }

  private static String message(List<Conflict> conflicts, List<String> displays) {
    if (conflicts.size() == 1) {
      return "Apply failed with 1 conflict: conflict with " + displays.get(0) + ": " + conflicts.get(0).field();
    }
    Map<String, List<String>> byManager = new LinkedHashMap<>();
    for (int i = 0; i < conflicts.size(); i++) {
      byManager.computeIfAbsent(displays.get(i), k -> new ArrayList<>()).add(conflicts.get(i).field());
    }
    List<String> lines = new ArrayList<>();
    byManager.forEach((manager, fields) -> {
      lines.add("conflicts with " + manager + ":");
      fields.forEach(f -> lines.add("- " + f));
    });
    return "Apply failed with " + conflicts.size() + " conflicts: " + String.join("\n", lines);
  }
}

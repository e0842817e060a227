package io.bosun.apiserver.status;

/**
 * How error messages name a resource: {@code pods} for the core group, {@code deployments.apps}
 * otherwise.
 */
public record ResourceName(String group, String plural) {

  public String qualified() {
    return group.isEmpty() ? plural : plural + "." + group;
  }
}

package io.bosun.runtime.spi;

import java.util.Locale;

/**
 * A container's {@code imagePullPolicy}, applied by the kubelet: whether to call
 * {@link ImageService#pull} given whether the image is present.
 */
public enum PullPolicy {
  /** Pull every time a container starts. */
  ALWAYS,
  /** Pull only if the image is not on the node. */
  IF_NOT_PRESENT,
  /** Never pull; a missing image fails the container ({@code ErrImageNeverPull}). */
  NEVER;

  /**
   * Parses the API value ({@code Always}, {@code IfNotPresent}, {@code Never}); empty or null
   * gets upstream's default: {@code Always} for a {@code :latest} or untagged image, else
   * {@code IfNotPresent}.
   */
  public static PullPolicy of(String value, String image) {
    if (value == null || value.isEmpty()) {
      return latest(image) ? ALWAYS : IF_NOT_PRESENT;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "always" -> ALWAYS;
      case "never" -> NEVER;
      case "ifnotpresent" -> IF_NOT_PRESENT;
      default -> throw new IllegalArgumentException("unknown imagePullPolicy: " + value);
    };
  }

  /** Whether to pull: {@code present} says whether the image is on the node. */
  public boolean shouldPull(boolean present) {
    return switch (this) {
      case ALWAYS -> true;
      case IF_NOT_PRESENT -> !present;
      case NEVER -> false;
    };
  }

  private static boolean latest(String image) {
    if (image == null || image.contains("@")) {
      return false;
    }
    int slash = image.lastIndexOf('/');
    int colon = image.lastIndexOf(':');
    return colon <= slash || image.substring(colon + 1).equals("latest");
  }
}

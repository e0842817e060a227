package io.bosun.api.labels;

/** A selector string does not parse or names something invalid; the message is upstream's. */
public class SelectorException extends Exception {

  private static final long serialVersionUID = 1L;

  public SelectorException(String message) {
    super(message);
  }
}

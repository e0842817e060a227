package io.bosun.store.spi;

/** A read asked for a revision the store has not reached yet. */
public class FutureRevisionException extends StoreException {

  private static final long serialVersionUID = 1L;

  public FutureRevisionException(long requested, long current) {
    super("required revision " + requested + " is a future revision; current is " + current);
  }
}

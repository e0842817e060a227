package io.bosun.store.etcd;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real etcd for a test class and kills it afterwards. Without an etcd binary every test
 * of the class is skipped (a JUnit assumption, per test so that each shows as skipped with the
 * message saying what to install); a binary that is there but does not come up is a failure.
 */
final class EtcdExtension implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

  static final String MISSING = "no etcd binary: install Debian's etcd-server package (/usr/bin/etcd), "
      + "or point -Dbosun.etcd.binary / $BOSUN_ETCD at one";

  private final List<String> tlsArgs;
  private EtcdProcess etcd;

  EtcdExtension() {
    this(List.of());
  }

  EtcdExtension(List<String> tlsArgs) {
    this.tlsArgs = tlsArgs;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Optional<Path> binary = EtcdProcess.binary();
    if (binary.isPresent()) {
      etcd = EtcdProcess.start(binary.get(), tlsArgs);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Assumptions.assumeTrue(etcd != null, MISSING);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (etcd != null) {
      etcd.close();
      etcd = null;
    }
  }

  EtcdProcess etcd() {
    return etcd;
  }
}

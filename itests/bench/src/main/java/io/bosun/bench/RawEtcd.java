package io.bosun.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import java.util.concurrent.TimeUnit;

/**
 * Plain etcd puts with jetcd, no transaction and no store around them: the floor the etcd columns
 * compare the API server with. Keys carry {@link #KEY_PREFIX} as the etcd store's keys do.
 */
final class RawEtcd implements AutoCloseable {

  /** What {@code EtcdStore} puts in front of a store key with its default prefix ({@code /bosun} + {@code /kv}). */
  static final String KEY_PREFIX = "/bosun/kv";

  private final Client client;
  private final KV kv;

  RawEtcd(String endpoint) {
    client = Client.builder().endpoints(endpoint).build();
    kv = client.getKVClient();
  }

  /** One synchronous put per operation, of {@code puts[i]}. */
  Load.Op putOp(ApiBenchmark.Put[] puts) {
    ByteSequence[] keys = new ByteSequence[puts.length];
    ByteSequence[] values = new ByteSequence[puts.length];
    for (int i = 0; i < puts.length; i++) {
      keys[i] = ByteSequence.from(puts[i].key().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      values[i] = ByteSequence.from(puts[i].value());
    }
    return i -> kv.put(keys[i], values[i]).get(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    kv.close();
    client.close();
  }
}

package io.bosun.controllers.apps.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.bosun.api.apps.v1.Deployment;
import io.bosun.api.apps.v1.DeploymentSpec;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.meta.v1.LabelSelector;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.client.ResourceClient;
import io.bosun.client.informer.ResourceEventHandler;
import io.bosun.client.informer.SharedIndexInformer;
import io.bosun.client.informer.SharedInformerFactory;
import io.bosun.controller.testing.TestCluster;
import io.bosun.controllers.apps.Harness;
import io.bosun.controllers.apps.deployment.DeploymentController;
import io.bosun.controllers.apps.replicaset.ReplicaSetController;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long the Deployment and ReplicaSet controllers take to converge N deployments of R replicas
 * (the benchmark: 1000 x 10), with pods bound and readied by fake nodes, against an
 * in-process API server (no fsync). Not part of the build: run it by hand with
 * {@code mvn -o -pl bundles/controllers-apps test -Dtest=ConvergenceBench -Dbosun.bench=true}
 * ({@code -Dbosun.bench.deployments=1000 -Dbosun.bench.replicas=10}); it prints one line.
 */
class ConvergenceBench {

  @TempDir
  Path dir;

  @Test
  void converge() throws Exception {
    assumeTrue(Boolean.getBoolean("bosun.bench"), "run with -Dbosun.bench=true");
    int deployments = Integer.getInteger("bosun.bench.deployments", 1000);
    int replicas = Integer.getInteger("bosun.bench.replicas", 10);
    try (Harness h = new Harness(dir, 10, new ReplicaSetController(), new DeploymentController())) {
      String ns = h.namespace("bench");
      ResourceClient<Deployment> client = h.client.resources(Deployment.class);
      AtomicLong firstPod = new AtomicLong();
      AtomicLong lastPod = new AtomicLong();
      AtomicLong pods = new AtomicLong();
      try (SharedInformerFactory f = new SharedInformerFactory(h.client)) {
        SharedIndexInformer<Pod> watch = f.informerFor(Pod.class);
        // Progress is read from a cache: polling lists of every deployment would load the server.
        SharedIndexInformer<Deployment> ds = f.informerFor(Deployment.class);
        watch.addEventHandler(new ResourceEventHandler<>() {
          @Override
          public void onAdd(Pod p, boolean initial) {
            long now = System.nanoTime();
            firstPod.compareAndSet(0, now);
            lastPod.set(now);
            pods.incrementAndGet();
          }
        });
        f.start();
        f.waitForCacheSync(Duration.ofSeconds(10));
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
          for (int i = 0; i < deployments; i++) {
            String name = "d" + i;
            pool.submit(() -> client.create(new Deployment().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
                .withSpec(new DeploymentSpec().withReplicas(replicas)
                    .withSelector(new LabelSelector().withMatchLabels(Map.of("app", name)))
                    .withTemplate(Harness.template(Map.of("app", name), "nginx:1")))));
          }
        }
        long created = System.nanoTime();
        TestCluster.await(Duration.ofMinutes(30), () -> ds.indexer().list(ns).size() == deployments
            && ds.indexer().list(ns).stream().allMatch(d -> d.getStatus() != null && d.getStatus().getAvailableReplicas() != null
                && d.getStatus().getAvailableReplicas() == replicas
                && d.getStatus().getUpdatedReplicas() != null && d.getStatus().getUpdatedReplicas() == replicas),
            "every deployment available");
        long done = System.nanoTime();
        double seconds = (done - start) / 1e9;
        double podSeconds = (lastPod.get() - firstPod.get()) / 1e9;
        System.out.printf("BENCH deployments=%d replicas=%d pods=%d create=%.1fs converged=%.1fs pods/s=%.0f%n",
            deployments, replicas, pods.get(), (created - start) / 1e9, seconds, pods.get() / Math.max(podSeconds, 1e-3));
      }
    }
  }
}

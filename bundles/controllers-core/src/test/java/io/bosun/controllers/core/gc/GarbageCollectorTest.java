package io.bosun.controllers.core.gc;

import static io.bosun.controllers.core.testing.Harness.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.bosun.api.core.v1.ConfigMap;
import io.bosun.api.core.v1.Secret;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.client.PatchType;
import io.bosun.client.ResourceClient;
import io.bosun.controllers.core.testing.Harness;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The garbage collector in its three propagation modes, with ConfigMaps and Secrets as owners and
 * dependents (no other controller touches them) and a test finalizer to hold dependents.
 */
class GarbageCollectorTest {

  static final String HOLD = "test.bosun.io/hold";

  @TempDir
  static Path dir;
  static Harness h;
  static ResourceClient<ConfigMap> maps;
  static ResourceClient<Secret> secrets;

  @BeforeAll
  static void start() throws Exception {
    h = new Harness(dir, List.of(new GarbageCollector()));
    maps = h.client.resources(ConfigMap.class);
    secrets = h.client.resources(Secret.class);
  }

  @AfterAll
  static void stop() {
    h.close();
  }

  static ConfigMap owner(String ns, String name) {
    return maps.create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns).withName(name))
        .withData(Map.of("k", "v")));
  }

  static OwnerReference ref(ConfigMap owner, boolean block) {
    return new OwnerReference().withApiVersion("v1").withKind("ConfigMap").withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid()).withBlockOwnerDeletion(block);
  }

  static Secret dependent(String ns, String name, List<String> finalizers, OwnerReference... refs) {
    return secrets.create(new Secret().withMetadata(new ObjectMeta().withNamespace(ns).withName(name)
        .withOwnerReferences(new ArrayList<>(List.of(refs))).withFinalizers(finalizers.isEmpty() ? null : new ArrayList<>(finalizers))));
  }

  static Optional<Secret> secret(String ns, String name) {
    return secrets.get(ns, name);
  }

  static void release(String ns, String name) {
    secrets.patch(ns, name, PatchType.MERGE, "{\"metadata\":{\"finalizers\":null}}");
  }

  @Test
  void foregroundDeletionThatStartedWhileNoCollectorRanStillDeletesEveryDependent(@TempDir Path own) throws Exception {
    // Its own cluster with the collector started late: at start the owner, already deleting in the
    // foreground, may be listed before its dependents, and the non-blocking one must be queued too.
    try (Harness late = new Harness(own, List.of())) {
      ResourceClient<ConfigMap> lateMaps = late.client.resources(ConfigMap.class);
      ResourceClient<Secret> lateSecrets = late.client.resources(Secret.class);
      String ns = late.namespace("gc-late");
      ConfigMap parent = lateMaps.create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace(ns)
          .withName("parent")));
      for (String name : List.of("blocker", "bystander")) {
        lateSecrets.create(new Secret().withMetadata(new ObjectMeta().withNamespace(ns).withName(name)
            .withOwnerReferences(new ArrayList<>(List.of(ref(parent, name.equals("blocker")))))
            .withFinalizers(new ArrayList<>(List.of(HOLD)))));
      }
      lateMaps.delete(ns, "parent", new DeleteOptions().withPropagationPolicy("Foreground"));
      late.manager().addController(new GarbageCollector());
      await(() -> List.of("blocker", "bystander").stream().allMatch(n -> lateSecrets.get(ns, n)
          .map(s -> s.getMetadata().getDeletionTimestamp() != null).orElse(false)), () -> "both dependents being deleted");
      assertThat(lateMaps.get(ns, "parent")).isPresent();
      for (String name : List.of("blocker", "bystander")) {
        lateSecrets.patch(ns, name, PatchType.MERGE, "{\"metadata\":{\"finalizers\":null}}");
      }
      await(() -> lateMaps.get(ns, "parent").isEmpty(), () -> "owner gone after its dependents");
    }
  }

  @Test
  void backgroundDeletesDependentsOfADeletedOwner() {
    String ns = h.namespace("gc-background");
    ConfigMap parent = owner(ns, "parent");
    dependent(ns, "child-a", List.of(), ref(parent, false));
    dependent(ns, "child-b", List.of(), ref(parent, true));
    maps.delete(ns, "parent", null);
    await(() -> secret(ns, "child-a").isEmpty() && secret(ns, "child-b").isEmpty(), () -> "dependents deleted");
  }

  @Test
  void ownersAreMatchedByUidNotName() {
    String ns = h.namespace("gc-uid");
    ConfigMap parent = owner(ns, "parent");
    OwnerReference stale = ref(parent, false);
    dependent(ns, "kept", List.of(), ref(parent, false));
    maps.delete(ns, "parent", null);
    ConfigMap again = owner(ns, "parent");
    assertThat(again.getMetadata().getUid()).isNotEqualTo(parent.getMetadata().getUid());
    // A dependent naming the old uid is collected although an owner of that name exists again.
    dependent(ns, "stale", List.of(), stale);
    // One naming the new owner stays.
    dependent(ns, "fresh", List.of(), ref(again, false));
    // One naming an owner that never existed is collected too.
    OwnerReference ghost = new OwnerReference().withApiVersion("v1").withKind("ConfigMap").withName("ghost")
        .withUid(UUID.randomUUID().toString());
    dependent(ns, "haunted", List.of(), ghost);
    await(() -> secret(ns, "kept").isEmpty() && secret(ns, "stale").isEmpty() && secret(ns, "haunted").isEmpty(),
        () -> "dependents of gone owners deleted");
    assertThat(secret(ns, "fresh")).isPresent();
  }

  @Test
  void aDependentWithAnotherOwnerStaysAndLosesTheDanglingReference() {
    String ns = h.namespace("gc-two-owners");
    ConfigMap a = owner(ns, "a");
    ConfigMap b = owner(ns, "b");
    dependent(ns, "shared", List.of(), ref(a, false), ref(b, false));
    maps.delete(ns, "a", null);
    await(() -> secret(ns, "shared").map(s -> s.getMetadata().getOwnerReferences().size() == 1).orElse(false),
        () -> "dangling reference removed: " + secret(ns, "shared"));
    assertThat(secret(ns, "shared").orElseThrow().getMetadata().getOwnerReferences())
        .singleElement().satisfies(r -> assertThat(r.getUid()).isEqualTo(b.getMetadata().getUid()));
  }

  @Test
  void foregroundWaitsForBlockingDependents() {
    String ns = h.namespace("gc-foreground");
    ConfigMap parent = owner(ns, "parent");
    dependent(ns, "blocker", List.of(HOLD), ref(parent, true));
    dependent(ns, "bystander", List.of(HOLD), ref(parent, false));
    maps.delete(ns, "parent", new DeleteOptions().withPropagationPolicy("Foreground"));
    // Every dependent is deleted (held by the test finalizer), the owner waits for the blocking one.
    await(() -> secret(ns, "blocker").map(s -> s.getMetadata().getDeletionTimestamp() != null).orElse(false)
        && secret(ns, "bystander").map(s -> s.getMetadata().getDeletionTimestamp() != null).orElse(false),
        () -> "dependents being deleted");
    ConfigMap waiting = maps.get(ns, "parent").orElseThrow();
    assertThat(waiting.getMetadata().getDeletionTimestamp()).isNotNull();
    assertThat(waiting.getMetadata().getFinalizers()).contains("foregroundDeletion");
    release(ns, "bystander");
    await(() -> secret(ns, "bystander").isEmpty(), () -> "bystander gone");
    assertThat(maps.get(ns, "parent")).isPresent();
    release(ns, "blocker");
    await(() -> maps.get(ns, "parent").isEmpty() && secret(ns, "blocker").isEmpty(), () -> "owner gone after its blocker");
  }

  @Test
  void foregroundWithoutBlockersCompletesAtOnce() {
    String ns = h.namespace("gc-foreground-free");
    ConfigMap parent = owner(ns, "parent");
    dependent(ns, "loose", List.of(HOLD), ref(parent, false));
    maps.delete(ns, "parent", new DeleteOptions().withPropagationPolicy("Foreground"));
    await(() -> maps.get(ns, "parent").isEmpty(), () -> "owner gone");
    await(() -> secret(ns, "loose").map(s -> s.getMetadata().getDeletionTimestamp() != null).orElse(false),
        () -> "non-blocking dependent deleted too");
    release(ns, "loose");
  }

  @Test
  void orphanRemovesTheReferencesAndKeepsTheDependents() {
    String ns = h.namespace("gc-orphan");
    ConfigMap parent = owner(ns, "parent");
    ConfigMap other = owner(ns, "other");
    dependent(ns, "orphan-a", List.of(), ref(parent, true));
    dependent(ns, "orphan-b", List.of(), ref(parent, false), ref(other, false));
    maps.delete(ns, "parent", new DeleteOptions().withPropagationPolicy("Orphan"));
    await(() -> maps.get(ns, "parent").isEmpty(), () -> "owner gone");
    Secret a = secret(ns, "orphan-a").orElseThrow();
    assertThat(a.getMetadata().getOwnerReferences() == null || a.getMetadata().getOwnerReferences().isEmpty()).isTrue();
    Secret b = secret(ns, "orphan-b").orElseThrow();
    assertThat(b.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(r -> assertThat(r.getName()).isEqualTo("other"));
  }

  @Test
  void clusterScopedOwnerOfNamespacedDependents() {
    String ns = h.namespace("gc-cluster-owner");
    io.bosun.api.core.v1.Namespace owner = h.client.resources(io.bosun.api.core.v1.Namespace.class).get(null, ns).orElseThrow();
    ConfigMap held = maps.create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace("default").withName(ns + "-cm")
        .withOwnerReferences(List.of(new OwnerReference().withApiVersion("v1").withKind("Namespace").withName(ns)
            .withUid(owner.getMetadata().getUid())))));
    assertThat(held).isNotNull();
    // The owner exists: nothing happens to the dependent; a dependent of a missing cluster-scoped owner goes.
    maps.create(new ConfigMap().withMetadata(new ObjectMeta().withNamespace("default").withName(ns + "-lost")
        .withOwnerReferences(List.of(new OwnerReference().withApiVersion("v1").withKind("Namespace").withName("no-such-ns")
            .withUid(UUID.randomUUID().toString())))));
    await(() -> maps.get("default", ns + "-lost").isEmpty(), () -> "dependent of a missing namespace deleted");
    assertThat(maps.get("default", ns + "-cm")).isPresent();
    maps.delete("default", ns + "-cm", null);
  }
}

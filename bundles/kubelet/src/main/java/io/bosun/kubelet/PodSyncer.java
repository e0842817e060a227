package io.bosun.kubelet;

import io.bosun.api.codec.ApiCodec;
import io.bosun.api.core.v1.Container;
import io.bosun.api.core.v1.ContainerPort;
import io.bosun.api.core.v1.LifecycleHandler;
import io.bosun.api.core.v1.Pod;
import io.bosun.api.core.v1.PodStatus;
import io.bosun.api.meta.v1.DeleteOptions;
import io.bosun.api.meta.v1.ObjectMeta;
import io.bosun.api.meta.v1.OwnerReference;
import io.bosun.api.meta.v1.Preconditions;
import io.bosun.api.node.v1.RuntimeClass;
import io.bosun.api.values.Quantity;
import io.bosun.client.ApiClient;
import io.bosun.client.ClientException;
import io.bosun.client.ClientStatusException;
import io.bosun.runtime.spi.ContainerConfig;
import io.bosun.runtime.spi.ContainerFilter;
import io.bosun.runtime.spi.ContainerResources;
import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ContainerRuntimeException;
import io.bosun.runtime.spi.ContainerState;
import io.bosun.runtime.spi.ContainerStatus;
import io.bosun.runtime.spi.CreateContainerException;
import io.bosun.runtime.spi.ImagePullException;
import io.bosun.runtime.spi.ImageSpec;
import io.bosun.runtime.spi.KeyValue;
import io.bosun.runtime.spi.Labels;
import io.bosun.runtime.spi.Mount;
import io.bosun.runtime.spi.NotFoundException;
import io.bosun.runtime.spi.PullPolicy;
import io.bosun.runtime.spi.RuntimeCapabilities;
import io.bosun.runtime.spi.SandboxConfig;
import io.bosun.runtime.spi.SandboxFilter;
import io.bosun.runtime.spi.SandboxState;
import io.bosun.runtime.spi.SandboxStatus;
import io.bosun.runtime.spi.SecurityOptions;
import io.bosun.runtime.spi.StartContainerException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Syncs one pod: makes what runs match what the pod asks for, then reports it. Upstream's
 * {@code SyncPod}, {@code SyncTerminatingPod} and {@code SyncTerminatedPod} in one place:
 *
 * <ol>
 * <li>A pod gone from every source is killed and cleaned up (sandboxes, containers, volumes, logs).
 * <li>A pod being deleted, evicted or past its active deadline is terminated gracefully
 *     ({@code preStop}, stop signal, {@code terminationGracePeriodSeconds}, kill), its final status
 *     written, and a deleted pod is then deleted for good ({@code gracePeriodSeconds=0} with its uid
 *     as precondition).
 * <li>Otherwise: volumes, a ready sandbox, init containers one at a time in order, then every
 *     container; exited containers restart as {@code restartPolicy} says with upstream's
 *     CrashLoopBackOff; containers failing liveness or startup probes are killed and restarted; a
 *     pod whose containers are all done reaches Succeeded or Failed and restarts nothing any more.
 * </ol>
 *
 * <p>Only the pod's worker calls {@link #sync}; runtime and API calls block that worker only.
 */
final class PodSyncer implements PodWorkers.Syncer {

  private static final Logger LOG = LoggerFactory.getLogger(PodSyncer.class);
  /** Upstream's minimum grace period when stopping a container. */
  private static final Duration MIN_GRACE = Duration.ofSeconds(2);
  private static final String DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
  private static final int MAX_TERMINATION_MESSAGE = 4096;

  private final KubeletConfig config;
  private final ApiClient client;
  private final Runtimes runtimes;
  private final PodManager pods;
  private final ObjectLookup lookup;
  private final EnvResolver env;
  private final Volumes volumes;
  private final ProbeManager probes;
  private final Prober prober;
  private final Backoff backoff;
  private final LogPaths logPaths;
  private final NodeFacts node;
  private final StatusWriter statusWriter;
  private final java.util.function.BooleanSupplier sourcesReady;
  private final Clock clock;
  private final ApiCodec codec = new ApiCodec();

  PodSyncer(KubeletConfig config, ApiClient client, Runtimes runtimes, PodManager pods, ObjectLookup lookup,
      Volumes volumes, ProbeManager probes, Prober prober, Backoff backoff, LogPaths logPaths, NodeFacts node,
      java.util.function.BooleanSupplier sourcesReady, Clock clock) {
    this.config = config;
    this.client = client;
    this.runtimes = runtimes;
    this.pods = pods;
    this.lookup = lookup;
    this.env = new EnvResolver(lookup);
    this.volumes = volumes;
    this.probes = probes;
    this.prober = prober;
    this.backoff = backoff;
    this.logPaths = logPaths;
    this.node = node;
    this.statusWriter = new StatusWriter(client);
    this.sourcesReady = sourcesReady;
    this.clock = clock;
  }

  /** What a runtime holds of one pod. */
  record View(Runtimes.Entry runtime, List<SandboxStatus> sandboxes, List<ContainerStatus> containers) {

    SandboxStatus latestSandbox() {
      return sandboxes.stream().max(Comparator.comparingInt(SandboxStatus::attempt)
          .thenComparing(SandboxStatus::createdAt)).orElse(null);
    }

    List<ContainerStatus> named(String name) {
      return containers.stream().filter(c -> c.name().equals(name))
          .sorted(Comparator.comparingInt(ContainerStatus::attempt).thenComparing(ContainerStatus::createdAt)).toList();
    }

    ContainerStatus latest(String name) {
      List<ContainerStatus> l = named(name);
      return l.isEmpty() ? null : l.get(l.size() - 1);
    }

    /** The newest exited container of that name before the latest. */
    ContainerStatus previous(String name) {
      List<ContainerStatus> l = named(name);
      for (int i = l.size() - 2; i >= 0; i--) {
        if (l.get(i).state() == ContainerState.EXITED) {
          return l.get(i);
        }
      }
      return null;
    }

    List<ContainerStatus> running() {
      return containers.stream().filter(c -> c.state() == ContainerState.RUNNING).toList();
    }
  }

  @Override
  public PodWorkers.Result sync(PodState st) {
    Optional<Pod> desired = pods.get(st.uid);
    if (desired.isEmpty()) {
      if (!sourcesReady.getAsBoolean()) {
        // Not known yet is not gone: until the pod informer has synced and the static folder was
        // read (an API server still starting, a kubelet just restarted), nothing is torn down.
        return PodWorkers.Result.at(clock.instant().plusSeconds(1));
      }
      return removed(st);
    }
    Pod pod = desired.get();
    st.pod = pod;
    Runtimes.Entry rt = runtimeFor(st, pod);
    if (rt == null) {
      return PodWorkers.Result.at(clock.instant().plusSeconds(5));
    }
    st.runtime = rt.name();
    View view = view(rt, st.uid);
    boolean isStatic = pods.isStatic(st.uid);
    boolean deleting = !isStatic && pod.getMetadata().getDeletionTimestamp() != null;
    String[] deadline = activeDeadlineExceeded(pod, st);
    if (deadline != null && st.eviction == null) {
      st.eviction = deadline;
    }
    if (deleting || st.eviction != null || st.terminal) {
      return terminate(st, pod, rt, view, deleting);
    }
    if (isStatic) {
      ensureMirror(pod);
    }
    return run(st, pod, rt, view);
  }

  // ------------------------------------------------------------------ runtime choice

  /** The pod's runtime: where its sandboxes are, else by runtimeClassName; null (pod waits) if absent. */
  private Runtimes.Entry runtimeFor(PodState st, Pod pod) {
    if (!st.runtime.isEmpty()) {
      Optional<Runtimes.Entry> known = runtimes.byName(st.runtime);
      if (known.isPresent()) {
        return known.get();
      }
    }
    for (Runtimes.Entry e : runtimes.all()) {
      try {
        if (!e.runtime().sandboxes().list(SandboxFilter.ofPod(st.uid)).isEmpty()) {
          return e;
        }
      } catch (ContainerRuntimeException ex) {
        // unavailable now; the next sync asks again
      }
    }
    String rcName = pod.getSpec().getRuntimeClassName();
    if (rcName == null || rcName.isEmpty()) {
      Optional<Runtimes.Entry> def = runtimes.byName(config.runtime());
      if (def.isEmpty()) {
        st.podWaiting = new PodState.Waiting("ContainerCreating", "container runtime " + config.runtime()
            + " is not available on this node");
        writeWaitingStatus(st, pod);
      }
      return def.orElse(null);
    }
    Optional<RuntimeClass> rc = lookup.runtimeClass(rcName);
    if (rc.isEmpty()) {
      st.podWaiting = new PodState.Waiting("ContainerCreating", "RuntimeClass \"" + rcName + "\" not found");
      writeWaitingStatus(st, pod);
      return null;
    }
    Optional<Runtimes.Entry> e = runtimes.byHandler(rc.get().getHandler());
    if (e.isEmpty()) {
      st.podWaiting = new PodState.Waiting("ContainerCreating", "RuntimeHandler \"" + rc.get().getHandler()
          + "\" not supported");
      writeWaitingStatus(st, pod);
    }
    return e.orElse(null);
  }

  private View view(Runtimes.Entry rt, String uid) {
    ContainerRuntime r = rt.runtime();
    return new View(rt, r.sandboxes().list(SandboxFilter.ofPod(uid)), r.containers().list(ContainerFilter.ofPod(uid)));
  }

  // ------------------------------------------------------------------ running

  private PodWorkers.Result run(PodState st, Pod pod, Runtimes.Entry rt, View view) {
    Instant now = clock.instant();
    Instant next = now.plus(config.syncFrequency());
    if (st.startTime == null) {
      st.startTime = pod.getStatus() != null && pod.getStatus().getStartTime() != null
          ? pod.getStatus().getStartTime() : now;
    }
    EnvResolver.Context ctx = context(st, view);
    Map<String, Path> vols;
    try {
      vols = volumes.setup(pod, ctx);
      st.podWaiting = null;
    } catch (Volumes.VolumeException e) {
      st.podWaiting = new PodState.Waiting("ContainerCreating", e.getMessage());
      LOG.info("Pod {}: {}", PodManager.fullName(pod), e.getMessage());
      writeStatus(st, pod, view, false);
      return PodWorkers.Result.at(now.plusSeconds(2));
    }

    // A ready sandbox; a broken one takes its containers with it.
    SandboxStatus sandbox = view.latestSandbox();
    if (sandbox == null || sandbox.state() != SandboxState.READY) {
      if (sandbox != null) {
        LOG.info("Pod {}: sandbox {} is not ready; making a new one", PodManager.fullName(pod), sandbox.id());
        killContainers(pod, rt, view.running(), Duration.ZERO);
        safe(() -> rt.runtime().sandboxes().stop(sandbox.id()));
      }
      int attempt = sandbox == null ? 0 : sandbox.attempt() + 1;
      String key = st.uid + "/sandbox";
      if (sandbox != null && backoff.isInBackOffSince(key, now)) {
        return PodWorkers.Result.at(backoff.until(key, now));
      }
      try {
        Files.createDirectories(logPaths.podDir(ns(pod), name(pod), st.uid));
        rt.runtime().sandboxes().run(sandboxConfig(pod, attempt, handler(pod)));
      } catch (ContainerRuntimeException | IOException e) {
        backoff.next(key, now);
        st.podWaiting = new PodState.Waiting("ContainerCreating", "Failed to create pod sandbox: " + e.getMessage());
        LOG.warn("Pod {}: cannot create its sandbox: {}", PodManager.fullName(pod), e.getMessage());
        writeStatus(st, pod, view, false);
        return PodWorkers.Result.at(backoff.until(key, now));
      }
      view = view(rt, st.uid);
      ctx = context(st, view);
    }
    SandboxStatus sb = view.latestSandbox();
    st.podIP = sb.ip().isEmpty() ? node.nodeIP() : sb.ip();
    ctx = context(st, view);

    // Kill what must die: failed liveness/startup probes, changed specs, containers of old sandboxes.
    boolean killed = false;
    for (Container c : allContainers(pod)) {
      ContainerStatus latest = view.latest(c.getName());
      if (latest == null || latest.state() != ContainerState.RUNNING) {
        continue;
      }
      String why = null;
      if (!latest.sandboxId().equals(sb.id())) {
        why = "its sandbox was replaced";
      } else if (probes.result(st.uid, c.getName(), latest.id(), ProbeManager.Type.LIVENESS)
          == ProbeManager.Result.FAILURE) {
        why = "Container " + c.getName() + " failed liveness probe, will be restarted";
      } else if (probes.result(st.uid, c.getName(), latest.id(), ProbeManager.Type.STARTUP)
          == ProbeManager.Result.FAILURE) {
        why = "Container " + c.getName() + " failed startup probe, will be restarted";
      } else if (c.getImage() != null && !c.getImage().equals(latest.image().image())) {
        // Of a running pod's container spec only the image may change (upstream restarts on any spec hash change).
        why = "Container " + c.getName() + " definition changed, will be restarted";
      }
      if (why != null) {
        LOG.info("Pod {}: {}", PodManager.fullName(pod), why);
        killContainer(pod, c, rt, latest, grace(pod, c, true));
        killed = true;
      }
    }
    if (killed) {
      view = view(rt, st.uid);
    }

    String restartPolicy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    Instant wake = next;
    // Init containers, one at a time.
    boolean initDone = true;
    List<Container> inits = pod.getSpec().getInitContainers() == null ? List.of() : pod.getSpec().getInitContainers();
    for (Container c : inits) {
      boolean sidecar = "Always".equals(c.getRestartPolicy());
      ContainerStatus latest = view.latest(c.getName());
      if (latest != null && latest.state() == ContainerState.RUNNING) {
        st.waiting.remove(c.getName());
        probes.ensure(pod, c, latest.id(), latest.startedAt(), readyHint(pod, c, latest, rt));
        if (sidecar && startupPassed(st, c, latest)) {
          continue;
        }
        initDone = false;
        break;
      }
      if (latest != null && latest.state() == ContainerState.EXITED && latest.exitCode() == 0 && !sidecar) {
        continue;
      }
      if (latest != null && latest.state() == ContainerState.EXITED) {
        if (!sidecar && restartPolicy.equals("Never")) {
          initDone = false;
          st.terminal = true; // an init container failed for good: the pod fails
          break;
        }
        Instant w = restart(st, pod, c, rt, view, sb, ctx, vols, latest);
        wake = min(wake, w);
        initDone = false;
        break;
      }
      if (latest == null || latest.state() == ContainerState.CREATED) {
        wake = min(wake, start(st, pod, c, rt, sb, ctx, vols, latest == null ? 0 : latest.attempt(), latest));
        initDone = false;
        break;
      }
      initDone = false;
      break;
    }
    // Sidecars that died after initialization restart regardless.
    if (initDone) {
      for (Container c : inits) {
        if ("Always".equals(c.getRestartPolicy())) {
          ContainerStatus latest = view.latest(c.getName());
          if (latest != null && latest.state() == ContainerState.EXITED) {
            wake = min(wake, restart(st, pod, c, rt, view, sb, ctx, vols, latest));
          }
        }
      }
    }
    if (initDone && !st.terminal) {
      view = view(rt, st.uid);
      for (Container c : pod.getSpec().getContainers()) {
        ContainerStatus latest = view.latest(c.getName());
        if (latest == null || latest.state() == ContainerState.CREATED) {
          wake = min(wake, start(st, pod, c, rt, sb, ctx, vols, latest == null ? 0 : latest.attempt(), latest));
        } else if (latest.state() == ContainerState.RUNNING) {
          st.waiting.remove(c.getName());
          probes.ensure(pod, c, latest.id(), latest.startedAt(), readyHint(pod, c, latest, rt));
        } else if (latest.state() == ContainerState.EXITED) {
          if (shouldRestart(restartPolicy, latest.exitCode())) {
            wake = min(wake, restart(st, pod, c, rt, view, sb, ctx, vols, latest));
          } else {
            st.waiting.remove(c.getName());
          }
        }
      }
    }
    view = view(rt, st.uid);
    probes.retain(st.uid, runningIds(view));
    gcContainers(pod, rt, view);
    PodStatus status = writeStatus(st, pod, view, false);
    if (status != null && isTerminalPhase(status.getPhase())) {
      st.terminal = true;
      // Nothing restarts any more: stop what is left (sidecars) and the sandbox.
      return terminate(st, pod, rt, view(rt, st.uid), false);
    }
    return PodWorkers.Result.at(wake);
  }

  private boolean startupPassed(PodState st, Container c, ContainerStatus latest) {
    return c.getStartupProbe() == null
        || probes.result(st.uid, c.getName(), latest.id(), ProbeManager.Type.STARTUP) == ProbeManager.Result.SUCCESS;
  }

  private static boolean shouldRestart(String policy, int exitCode) {
    return switch (policy) {
      case "Never" -> false;
      case "OnFailure" -> exitCode != 0;
      default -> true;
    };
  }

  /** Restarts an exited container unless it is in back-off; returns when to look again. */
  private Instant restart(PodState st, Pod pod, Container c, Runtimes.Entry rt, View view, SandboxStatus sb,
      EnvResolver.Context ctx, Map<String, Path> vols, ContainerStatus latest) {
    String key = st.uid + "/" + c.getName();
    Instant finished = latest.finishedAt() != null ? latest.finishedAt() : clock.instant();
    if (backoff.isInBackOffSince(key, finished)) {
      Duration d = backoff.get(key);
      st.waiting.put(c.getName(), new PodState.Waiting("CrashLoopBackOff", "back-off " + goDuration(d)
          + " restarting failed container=" + c.getName() + " pod=" + name(pod) + "_" + ns(pod) + "(" + st.uid + ")"));
      return backoff.until(key, finished);
    }
    backoff.next(key, finished);
    return start(st, pod, c, rt, sb, ctx, vols, latest.attempt() + 1, null);
  }

  /**
   * Pulls, configures, creates and starts one container; on failure records why it waits.
   *
   * @param stale a CREATED container left by an earlier attempt, removed first; null if none
   * @return when the pod should be looked at again
   */
  private Instant start(PodState st, Pod pod, Container c, Runtimes.Entry rt, SandboxStatus sb,
      EnvResolver.Context ctx, Map<String, Path> vols, int attempt, ContainerStatus stale) {
    Instant now = clock.instant();
    ContainerRuntime r = rt.runtime();
    String name = c.getName();
    if (stale != null) {
      safe(() -> r.containers().remove(stale.id()));
    }
    // image
    ImageSpec image = ImageSpec.of(c.getImage() == null ? "" : c.getImage());
    PullPolicy policy = PullPolicy.of(c.getImagePullPolicy(), image.image());
    boolean present = r.images().status(image).isPresent();
    String imageRef;
    if (policy == PullPolicy.NEVER && !present) {
      st.waiting.put(name, new PodState.Waiting("ErrImageNeverPull", "Container image \"" + image.image()
          + "\" is not present with pull policy of Never"));
      return now.plusSeconds(5);
    }
    if (policy.shouldPull(present)) {
      String key = st.uid + "/pull/" + name;
      if (backoff.isInBackOffSince(key, now)) {
        st.waiting.put(name, new PodState.Waiting("ImagePullBackOff", "Back-off pulling image \"" + image.image()
            + "\""));
        return backoff.until(key, now);
      }
      try {
        imageRef = r.images().pull(image, null, sandboxConfig(pod, sb.attempt(), sb.runtimeHandler()));
        backoff.reset(key);
      } catch (ImagePullException e) {
        backoff.next(key, now);
        st.waiting.put(name, new PodState.Waiting(ImagePullException.REASON, e.getMessage()));
        LOG.info("Pod {}: pulling image {} failed: {}", PodManager.fullName(pod), image.image(), e.getMessage());
        return backoff.until(key, now);
      }
    }
    // configuration
    List<KeyValue> environment;
    List<Mount> mounts;
    try {
      environment = env.resolve(pod, c, ctx);
      mounts = new ArrayList<>(Volumes.mounts(c, vols));
    } catch (ConfigException | Volumes.VolumeException e) {
      st.waiting.put(name, new PodState.Waiting(ConfigException.REASON, e.getMessage()));
      return now.plusSeconds(5);
    }
    Path messageFile = volumes.podDir(st.uid).resolve("containers").resolve(name).resolve(Integer.toString(attempt));
    String messagePath = c.getTerminationMessagePath() == null || c.getTerminationMessagePath().isEmpty()
        ? DEFAULT_TERMINATION_MESSAGE_PATH : c.getTerminationMessagePath();
    try {
      Files.createDirectories(messageFile.getParent());
      Files.writeString(messageFile, "");
      mounts.add(new Mount(messageFile, messagePath, false, null));
    } catch (IOException e) {
      LOG.debug("No termination message file for {}: {}", name, e.toString());
    }
    Path logFile = logPaths.logFile(ns(pod), name(pod), st.uid, name, attempt);
    Map<String, String> labels = Map.of(Labels.POD_NAME, name(pod), Labels.POD_NAMESPACE, ns(pod), Labels.POD_UID,
        st.uid, Labels.CONTAINER_NAME, name);
    Map<String, String> annotations = Map.of(Labels.CONTAINER_HASH, hash(c), Labels.CONTAINER_RESTART_COUNT,
        Integer.toString(attempt), Labels.TERMINATION_MESSAGE_PATH, messagePath, Labels.POD_TERMINATION_GRACE_PERIOD,
        Long.toString(podGrace(pod).toSeconds()));
    ContainerConfig cc = new ContainerConfig(name, attempt, image, EnvResolver.expandAll(c.getCommand(), environment),
        EnvResolver.expandAll(c.getArgs(), environment), c.getWorkingDir(), environment, mounts, labels, annotations,
        logFile, resources(c), security(pod, c), Boolean.TRUE.equals(c.getStdin()), Boolean.TRUE.equals(c.getTty()));
    String id;
    try {
      Files.createDirectories(logFile.getParent());
      id = r.containers().create(sb.id(), cc, sandboxConfig(pod, sb.attempt(), sb.runtimeHandler()));
    } catch (CreateContainerException | IOException e) {
      st.waiting.put(name, new PodState.Waiting(CreateContainerException.REASON, e.getMessage()));
      return now.plusSeconds(5);
    } catch (NotFoundException e) {
      return now.plusSeconds(1); // the sandbox vanished: the next sync makes a new one
    }
    try {
      r.containers().start(id);
    } catch (StartContainerException e) {
      LOG.info("Pod {}: container {} failed to start: {}", PodManager.fullName(pod), name, e.getMessage());
      st.waiting.put(name, new PodState.Waiting(StartContainerException.REASON, e.getMessage()));
      // A runtime that left it CREATED: remove it so the next attempt starts afresh (the back-off counts it).
      r.containers().status(id).filter(s -> s.state() == ContainerState.CREATED)
          .ifPresent(s -> safe(() -> r.containers().remove(id)));
      backoff.next(st.uid + "/" + name, now);
      return backoff.until(st.uid + "/" + name, now);
    }
    st.waiting.remove(name);
    if (c.getLifecycle() != null && c.getLifecycle().getPostStart() != null) {
      String failure = runHandler(pod, c, rt, id, c.getLifecycle().getPostStart(), grace(pod, c, false));
      if (failure != null) {
        LOG.info("Pod {}: postStart hook of {} failed: {}", PodManager.fullName(pod), name, failure);
        safe(() -> r.containers().stop(id, grace(pod, c, false)));
        return now;
      }
    }
    r.containers().status(id).ifPresent(s -> probes.ensure(pod, c, id, s.startedAt(), null));
    return now.plus(config.syncFrequency());
  }

  /** For an adopted container, the readiness the API last showed for this very container. */
  private Boolean readyHint(Pod pod, Container c, ContainerStatus latest, Runtimes.Entry rt) {
    if (pod.getStatus() == null) {
      return null;
    }
    String id = rt.name() + "://" + latest.id();
    List<io.bosun.api.core.v1.ContainerStatus> all = new ArrayList<>();
    if (pod.getStatus().getContainerStatuses() != null) {
      all.addAll(pod.getStatus().getContainerStatuses());
    }
    if (pod.getStatus().getInitContainerStatuses() != null) {
      all.addAll(pod.getStatus().getInitContainerStatuses());
    }
    for (io.bosun.api.core.v1.ContainerStatus s : all) {
      if (c.getName().equals(s.getName()) && id.equals(s.getContainerID())) {
        return s.getReady();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ termination

  private PodWorkers.Result terminate(PodState st, Pod pod, Runtimes.Entry rt, View view, boolean deleting) {
    Instant now = clock.instant();
    if (!st.killed) {
      Duration grace = st.eviction != null ? Duration.ZERO : deleting ? podGrace(pod) : Duration.ZERO;
      Instant deadline = now.plus(grace);
      st.terminationDeadline = st.terminationDeadline == null || deadline.isBefore(st.terminationDeadline)
          ? deadline : st.terminationDeadline;
      killPod(pod, rt, view, st.terminationDeadline, st.eviction != null ? Duration.ZERO : MIN_GRACE);
      for (SandboxStatus sb : view.sandboxes()) {
        if (sb.state() == SandboxState.READY) {
          safe(() -> rt.runtime().sandboxes().stop(sb.id()));
        }
      }
      probes.removePod(st.uid);
      st.killed = true;
      view = view(rt, st.uid);
    }
    PodStatus status = writeStatus(st, pod, view, true);
    st.phase = status == null ? st.phase : status.getPhase();
    if (deleting && !st.finalDeleteSent) {
      try {
        client.pods().delete(ns(pod), name(pod), new DeleteOptions().withGracePeriodSeconds(0L)
            .withPreconditions(new Preconditions().withUid(st.uid)));
        LOG.info("Pod {} terminated and deleted", PodManager.fullName(pod));
      } catch (ClientStatusException e) {
        if (!e.isNotFound() && !e.isConflict()) {
          throw e;
        }
      }
      st.finalDeleteSent = true;
    }
    // Wait for the pod to leave its source; then it is cleaned up.
    return PodWorkers.Result.at(null);
  }

  /**
   * Stops every running container gracefully by {@code deadline}: regular containers in parallel,
   * then sidecars. Each gets at least {@code minGrace} for its stop signal, as upstream's 2 s minimum
   * (zero for an eviction's immediate kill).
   */
  private void killPod(Pod pod, Runtimes.Entry rt, View view, Instant deadline, Duration minGrace) {
    Map<String, Container> specs = new HashMap<>();
    allContainers(pod).forEach(c -> specs.put(c.getName(), c));
    Set<String> sidecars = new HashSet<>();
    if (pod.getSpec().getInitContainers() != null) {
      pod.getSpec().getInitContainers().stream().filter(c -> "Always".equals(c.getRestartPolicy()))
          .forEach(c -> sidecars.add(c.getName()));
    }
    List<ContainerStatus> running = view.running();
    List<ContainerStatus> first = running.stream().filter(c -> !sidecars.contains(c.name())).toList();
    List<ContainerStatus> then = running.stream().filter(c -> sidecars.contains(c.name())).toList();
    for (List<ContainerStatus> group : List.of(first, then)) {
      List<Thread> stopping = new ArrayList<>();
      for (ContainerStatus c : group) {
        stopping.add(Thread.ofVirtual().name("bosun-kubelet-stop-" + c.name()).start(() -> {
          Container spec = specs.get(c.name());
          Duration left = Duration.between(clock.instant(), deadline);
          if (spec != null && spec.getLifecycle() != null && spec.getLifecycle().getPreStop() != null
              && left.isPositive()) {
            String failure = runHandler(pod, spec, rt, c.id(), spec.getLifecycle().getPreStop(), left);
            if (failure != null) {
              LOG.info("Pod {}: preStop hook of {} failed: {}", PodManager.fullName(pod), c.name(), failure);
            }
          }
          Duration remaining = Duration.between(clock.instant(), deadline);
          stopQuietly(rt, c.id(), remaining.compareTo(minGrace) < 0 ? minGrace : remaining);
        }));
      }
      for (Thread t : stopping) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void killContainers(Pod pod, Runtimes.Entry rt, List<ContainerStatus> running, Duration grace) {
    for (ContainerStatus c : running) {
      stopQuietly(rt, c.id(), grace);
    }
  }

  /** Kills one running container gracefully: preStop, then stop with the rest of the grace period. */
  private void killContainer(Pod pod, Container c, Runtimes.Entry rt, ContainerStatus running, Duration grace) {
    Instant deadline = clock.instant().plus(grace);
    if (c.getLifecycle() != null && c.getLifecycle().getPreStop() != null) {
      String failure = runHandler(pod, c, rt, running.id(), c.getLifecycle().getPreStop(), grace);
      if (failure != null) {
        LOG.info("Pod {}: preStop hook of {} failed: {}", PodManager.fullName(pod), c.getName(), failure);
      }
    }
    Duration left = Duration.between(clock.instant(), deadline);
    stopQuietly(rt, running.id(), left.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : left);
  }

  private void stopQuietly(Runtimes.Entry rt, String id, Duration grace) {
    try {
      rt.runtime().containers().stop(id, grace);
    } catch (NotFoundException e) {
      // already gone
    } catch (ContainerRuntimeException e) {
      LOG.warn("Cannot stop container {}: {}", id, e.getMessage());
    }
  }

  /** Runs a lifecycle handler (exec, httpGet, sleep); returns null on success, else why it failed. */
  private String runHandler(Pod pod, Container c, Runtimes.Entry rt, String containerId, LifecycleHandler h,
      Duration timeout) {
    Prober.Outcome o;
    if (h.getExec() != null) {
      o = prober.exec(rt.runtime(), containerId, h.getExec(), timeout);
    } else if (h.getHttpGet() != null) {
      String podIP = podIP(pod);
      o = prober.httpGet(h.getHttpGet(), c, podIP, timeout);
    } else if (h.getTcpSocket() != null) {
      o = prober.tcpSocket(h.getTcpSocket(), c, podIP(pod), timeout);
    } else if (h.getSleep() != null && h.getSleep().getSeconds() != null) {
      Duration d = Duration.ofSeconds(h.getSleep().getSeconds());
      sleepQuietly(d.compareTo(timeout) < 0 ? d : timeout);
      o = Prober.Outcome.OK;
    } else {
      o = Prober.Outcome.OK;
    }
    return o.success() ? null : o.message();
  }

  /** A sleep lifecycle action is a wait by definition (not synchronization): it holds only this pod. */
  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String podIP(Pod pod) {
    return pods.isStatic(pod.getMetadata().getUid()) || pod.getStatus() == null || pod.getStatus().getPodIP() == null
        ? node.nodeIP() : pod.getStatus().getPodIP();
  }

  // ------------------------------------------------------------------ removal

  /** The pod left every source: kill what is left, then remove everything of it. */
  private PodWorkers.Result removed(PodState st) {
    Pod last = st.pod;
    for (Runtimes.Entry rt : runtimes.all()) {
      View view;
      try {
        view = view(rt, st.uid);
      } catch (ContainerRuntimeException e) {
        continue;
      }
      if (!view.running().isEmpty() && last != null) {
        Duration grace = podGrace(last);
        if (last.getMetadata().getDeletionGracePeriodSeconds() != null) {
          grace = Duration.ofSeconds(last.getMetadata().getDeletionGracePeriodSeconds());
        }
        Instant deadline = st.terminationDeadline != null ? st.terminationDeadline : clock.instant().plus(grace);
        killPod(last, rt, view, deadline, MIN_GRACE);
      } else {
        // Known only to the runtime (deleted while no kubelet ran): the grace period it was created with.
        long grace = view.running().stream().mapToLong(c -> parseLong(c.annotations()
            .get(Labels.POD_TERMINATION_GRACE_PERIOD))).max().orElse(0);
        killContainers(last, rt, view.running(), Duration.ofSeconds(Math.max(grace, MIN_GRACE.toSeconds())));
      }
      for (SandboxStatus sb : view.sandboxes()) {
        safe(() -> rt.runtime().sandboxes().remove(sb.id()));
      }
    }
    if (runtimes.all().isEmpty()) {
      return PodWorkers.Result.at(clock.instant().plusSeconds(5)); // cannot clean up without its runtime
    }
    probes.removePod(st.uid);
    backoff.resetPrefix(st.uid + "/");
    volumes.teardown(st.uid);
    if (last != null) {
      try {
        AtomicWriter.deleteTree(logPaths.podDir(ns(last), name(last), st.uid));
      } catch (IOException e) {
        LOG.debug("Cannot remove logs of {}: {}", st.uid, e.toString());
      }
      if (PodManager.isMirror(last) || last.getMetadata().getAnnotations() != null
          && "file".equals(last.getMetadata().getAnnotations().get(PodManager.CONFIG_SOURCE))) {
        deleteMirror(last);
      }
      LOG.info("Pod {} ({}) removed from the node", PodManager.fullName(last), st.uid);
    }
    return PodWorkers.Result.DONE;
  }

  // ------------------------------------------------------------------ status

  /** Writes the pod's status if it changed; returns it (null if the pod could not be reported). */
  private PodStatus writeStatus(PodState st, Pod pod, View view, boolean terminating) {
    Pod target = pod;
    if (pods.isStatic(st.uid)) {
      Optional<Pod> mirror = pods.mirrorOf(pod);
      if (mirror.isEmpty()) {
        return null;
      }
      target = mirror.get();
    }
    PodStatus status = buildStatus(st, pod, target.getStatus(), view, terminating);
    st.phase = status.getPhase();
    try {
      statusWriter.write(st, target, status);
    } catch (ClientException e) {
      LOG.warn("Cannot write the status of pod {}: {}", PodManager.fullName(pod), e.getMessage());
      throw e;
    }
    return status;
  }

  private void writeWaitingStatus(PodState st, Pod pod) {
    try {
      writeStatus(st, pod, new View(null, List.of(), List.of()), false);
    } catch (ClientException e) {
      // reported by the next sync
    }
  }

  PodStatus buildStatus(PodState st, Pod pod, PodStatus previous, View view, boolean terminating) {
    String runtimeName = view.runtime() == null ? st.runtime : view.runtime().name();
    List<PodStatusBuilder.ContainerView> inits = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      for (Container c : pod.getSpec().getInitContainers()) {
        inits.add(containerView(st, pod, c, view, runtimeName, true));
      }
    }
    List<PodStatusBuilder.ContainerView> regular = new ArrayList<>();
    for (Container c : pod.getSpec().getContainers()) {
      regular.add(containerView(st, pod, c, view, runtimeName, false));
    }
    SandboxStatus sb = view.latestSandbox();
    boolean sandboxReady = sb != null && sb.state() == SandboxState.READY;
    List<String> podIPs = new ArrayList<>();
    if (sb != null) {
      if (sb.ip().isEmpty()) {
        podIPs.add(node.nodeIP());
      } else {
        podIPs.add(sb.ip());
        podIPs.addAll(sb.additionalIps());
      }
    } else if (previous != null && previous.getPodIPs() != null) {
      previous.getPodIPs().forEach(ip -> podIPs.add(ip.getIp()));
    }
    Instant start = st.startTime != null ? st.startTime : clock.instant();
    return PodStatusBuilder.build(pod, previous, inits, regular, new PodStatusBuilder.PodFacts(sandboxReady, podIPs,
        node.nodeIP(), start, st.eviction, terminating, clock.instant()));
  }

  private PodStatusBuilder.ContainerView containerView(PodState st, Pod pod, Container c, View view, String runtime,
      boolean init) {
    ContainerStatus latest = view.latest(c.getName());
    ContainerStatus previous = view.previous(c.getName());
    PodState.Waiting waiting = st.waiting.get(c.getName());
    if (waiting == null && st.podWaiting != null && (latest == null || latest.state() != ContainerState.RUNNING)) {
      waiting = latest == null ? st.podWaiting : null;
    }
    if (latest != null && latest.state() == ContainerState.RUNNING) {
      waiting = null;
    }
    if (latest != null && latest.state() == ContainerState.EXITED) {
      latest = withTerminationMessage(pod, c, latest);
    }
    boolean running = latest != null && latest.state() == ContainerState.RUNNING;
    boolean started = running && (c.getStartupProbe() == null
        || probes.result(st.uid, c.getName(), latest.id(), ProbeManager.Type.STARTUP) == ProbeManager.Result.SUCCESS);
    boolean ready;
    if (!running || !started) {
      ready = false;
    } else if (c.getReadinessProbe() == null) {
      ready = true;
    } else {
      ready = probes.result(st.uid, c.getName(), latest.id(), ProbeManager.Type.READINESS)
          == ProbeManager.Result.SUCCESS;
    }
    if (init && !"Always".equals(c.getRestartPolicy())) {
      ready = latest != null && latest.state() == ContainerState.EXITED && latest.exitCode() == 0;
    }
    return new PodStatusBuilder.ContainerView(c, latest, previous, waiting, ready, started, runtime);
  }

  /**
   * The container's termination message: the file it wrote at its terminationMessagePath, else for
   * {@code FallbackToLogsOnError} and a failure the end of its log, as upstream.
   */
  private ContainerStatus withTerminationMessage(Pod pod, Container c, ContainerStatus s) {
    if (!s.message().isEmpty()) {
      return s;
    }
    String message = "";
    Path file = volumes.podDir(pod.getMetadata().getUid()).resolve("containers").resolve(c.getName())
        .resolve(Integer.toString(s.attempt()));
    try {
      if (Files.isRegularFile(file) && Files.size(file) > 0) {
        byte[] b = Files.readAllBytes(file);
        message = new String(b, 0, Math.min(b.length, MAX_TERMINATION_MESSAGE), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      // no message
    }
    if (message.isEmpty() && s.exitCode() != 0 && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())
        && s.logPath() != null) {
      message = LogReader.tail(s.logPath(), 80, 2048);
    }
    if (message.isEmpty()) {
      return s;
    }
    return new ContainerStatus(s.id(), s.sandboxId(), s.name(), s.attempt(), s.state(), s.createdAt(), s.startedAt(),
        s.finishedAt(), s.exitCode(), s.reason(), message, s.image(), s.imageRef(), s.labels(), s.annotations(),
        s.logPath());
  }

  // ------------------------------------------------------------------ garbage collection

  /**
   * Keeps per container name its newest container and the newest exited one before it (lastState,
   * {@code --previous} logs); removes older ones with their log files, and sandboxes nothing kept
   * lives in.
   */
  private void gcContainers(Pod pod, Runtimes.Entry rt, View view) {
    Set<String> keepSandboxes = new HashSet<>();
    SandboxStatus latestSb = view.latestSandbox();
    if (latestSb != null) {
      keepSandboxes.add(latestSb.id());
    }
    Map<String, List<ContainerStatus>> byName = new LinkedHashMap<>();
    view.containers().forEach(c -> byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c));
    for (var e : byName.entrySet()) {
      ContainerStatus latest = view.latest(e.getKey());
      ContainerStatus previous = view.previous(e.getKey());
      for (ContainerStatus c : e.getValue()) {
        if (c == latest || c == previous || c.state() == ContainerState.RUNNING) {
          keepSandboxes.add(c.sandboxId());
          continue;
        }
        safe(() -> rt.runtime().containers().remove(c.id()));
        if (latest == null || c.attempt() != latest.attempt() && (previous == null || c.attempt() != previous.attempt())) {
          LogPaths.deleteAttempt(logPaths.containerDir(ns(pod), name(pod), pod.getMetadata().getUid(), c.name()),
              c.attempt());
        }
      }
    }
    for (SandboxStatus sb : view.sandboxes()) {
      if (!keepSandboxes.contains(sb.id())) {
        safe(() -> rt.runtime().sandboxes().remove(sb.id()));
      }
    }
  }

  private static Set<String> runningIds(View view) {
    Set<String> ids = new HashSet<>();
    view.running().forEach(c -> ids.add(c.id()));
    return ids;
  }

  // ------------------------------------------------------------------ static pods' mirrors

  /** Makes sure a static pod has its mirror pod in the API, with this pod's hash. */
  private void ensureMirror(Pod pod) {
    Optional<Pod> mirror = pods.mirrorOf(pod);
    String hash = pod.getMetadata().getAnnotations().get(PodManager.CONFIG_HASH);
    if (mirror.isPresent()) {
      Pod m = mirror.get();
      boolean current = hash.equals(m.getMetadata().getAnnotations().get(PodManager.MIRROR))
          && m.getMetadata().getDeletionTimestamp() == null;
      if (current) {
        return;
      }
      deleteMirror(m);
    }
    String nodeUid = node.nodeUid();
    if (nodeUid.isEmpty()) {
      return; // the Node is not registered yet: the owner reference needs its uid
    }
    Pod m = new Pod().withMetadata(new ObjectMeta().withName(name(pod)).withNamespace(ns(pod))
        .withLabels(pod.getMetadata().getLabels())
        .withAnnotations(withEntry(pod.getMetadata().getAnnotations(), PodManager.MIRROR, hash))
        .withOwnerReferences(List.of(new OwnerReference().withApiVersion("v1").withKind("Node")
            .withName(config.nodeName()).withUid(nodeUid).withController(true))))
        .withSpec(pod.getSpec().deepCopy());
    try {
      client.pods().create(m);
      LOG.info("Created mirror pod {} of a static pod", PodManager.fullName(pod));
    } catch (ClientStatusException e) {
      if (!e.isAlreadyExists()) {
        LOG.warn("Cannot create mirror pod {}: {}", PodManager.fullName(pod), e.getMessage());
      }
    }
  }

  private void deleteMirror(Pod pod) {
    Optional<Pod> m = PodManager.isMirror(pod) ? Optional.of(pod) : pods.mirrorOf(pod);
    if (m.isEmpty()) {
      m = client.pods().get(ns(pod), name(pod)).filter(PodManager::isMirror);
    }
    m.ifPresent(mirror -> {
      try {
        client.pods().delete(ns(mirror), name(mirror), new DeleteOptions().withGracePeriodSeconds(0L)
            .withPreconditions(new Preconditions().withUid(mirror.getMetadata().getUid())));
      } catch (ClientStatusException e) {
        if (!e.isNotFound() && !e.isConflict()) {
          LOG.warn("Cannot delete mirror pod {}: {}", PodManager.fullName(mirror), e.getMessage());
        }
      }
    });
  }

  private static Map<String, String> withEntry(Map<String, String> m, String k, String v) {
    Map<String, String> out = new LinkedHashMap<>(m == null ? Map.of() : m);
    out.put(k, v);
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private String[] activeDeadlineExceeded(Pod pod, PodState st) {
    Long deadline = pod.getSpec().getActiveDeadlineSeconds();
    if (deadline == null || st.startTime == null) {
      return null;
    }
    if (Duration.between(st.startTime, clock.instant()).toSeconds() >= deadline) {
      return new String[] {"DeadlineExceeded", "Pod was active on the node longer than the specified deadline"};
    }
    return null;
  }

  private EnvResolver.Context context(PodState st, View view) {
    String ip = st.podIP.isEmpty() ? node.nodeIP() : st.podIP;
    List<String> podIPs = new ArrayList<>();
    podIPs.add(ip);
    SandboxStatus sb = view.latestSandbox();
    if (sb != null && !sb.ip().isEmpty()) {
      podIPs.addAll(sb.additionalIps());
    }
    return new EnvResolver.Context(podIPs, List.of(node.nodeIP()), node.allocatable());
  }

  SandboxConfig sandboxConfig(Pod pod, int attempt, String handler) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (pod.getMetadata().getLabels() != null) {
      labels.putAll(pod.getMetadata().getLabels());
    }
    labels.put(Labels.POD_NAME, name(pod));
    labels.put(Labels.POD_NAMESPACE, ns(pod));
    labels.put(Labels.POD_UID, pod.getMetadata().getUid());
    List<SandboxConfig.PortMapping> ports = new ArrayList<>();
    for (Container c : allContainers(pod)) {
      if (c.getPorts() != null) {
        for (ContainerPort p : c.getPorts()) {
          if (p.getHostPort() != null && p.getHostPort() > 0) {
            ports.add(new SandboxConfig.PortMapping(p.getProtocol(), p.getContainerPort(), p.getHostPort(),
                p.getHostIP()));
          }
        }
      }
    }
    String hostname = pod.getSpec().getHostname() != null && !pod.getSpec().getHostname().isEmpty()
        ? pod.getSpec().getHostname() : name(pod);
    if (hostname.length() > 63) {
      hostname = hostname.substring(0, 63);
    }
    return new SandboxConfig(name(pod), ns(pod), pod.getMetadata().getUid(), attempt, hostname,
        logPaths.podDir(ns(pod), name(pod), pod.getMetadata().getUid()), labels, pod.getMetadata().getAnnotations(),
        handler, Boolean.TRUE.equals(pod.getSpec().getHostNetwork()), ports, null, null);
  }

  private String handler(Pod pod) {
    String rc = pod.getSpec().getRuntimeClassName();
    if (rc == null || rc.isEmpty()) {
      return "";
    }
    return lookup.runtimeClass(rc).map(RuntimeClass::getHandler).orElse("");
  }

  private static ContainerResources resources(Container c) {
    if (c.getResources() == null) {
      return ContainerResources.NONE;
    }
    Map<String, Quantity> req = c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
    Map<String, Quantity> lim = c.getResources().getLimits() == null ? Map.of() : c.getResources().getLimits();
    return new ContainerResources(milli(req.get("cpu")), milli(lim.get("cpu")), bytes(req.get("memory")),
        bytes(lim.get("memory")));
  }

  private static long milli(Quantity q) {
    return q == null ? 0 : Math.max(0, q.milliValue());
  }

  private static long bytes(Quantity q) {
    return q == null ? 0 : Math.max(0, q.longValue());
  }

  private static SecurityOptions security(Pod pod, Container c) {
    var psc = pod.getSpec().getSecurityContext();
    var sc = c.getSecurityContext();
    Long user = sc != null && sc.getRunAsUser() != null ? sc.getRunAsUser() : psc == null ? null : psc.getRunAsUser();
    Long group = sc != null && sc.getRunAsGroup() != null ? sc.getRunAsGroup() : psc == null ? null : psc.getRunAsGroup();
    List<Long> supplemental = psc == null || psc.getSupplementalGroups() == null ? List.of() : psc.getSupplementalGroups();
    boolean privileged = sc != null && Boolean.TRUE.equals(sc.getPrivileged());
    boolean readOnly = sc != null && Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem());
    boolean escalation = sc == null || sc.getAllowPrivilegeEscalation() == null || sc.getAllowPrivilegeEscalation();
    List<String> add = sc != null && sc.getCapabilities() != null && sc.getCapabilities().getAdd() != null
        ? sc.getCapabilities().getAdd() : List.of();
    List<String> drop = sc != null && sc.getCapabilities() != null && sc.getCapabilities().getDrop() != null
        ? sc.getCapabilities().getDrop() : List.of();
    return new SecurityOptions(user, group, supplemental, privileged, readOnly, escalation, add, drop);
  }

  /** The pod's grace period: from its deletion if set, else its spec (default 30 s). */
  static Duration podGrace(Pod pod) {
    Long g = pod.getMetadata().getDeletionGracePeriodSeconds();
    if (g == null) {
      g = pod.getSpec().getTerminationGracePeriodSeconds();
    }
    return Duration.ofSeconds(g == null ? 30 : Math.max(0, g));
  }

  /** For a probe-triggered kill the probe's own terminationGracePeriodSeconds wins. */
  private static Duration grace(Pod pod, Container c, boolean probeKill) {
    if (probeKill) {
      for (var p : new io.bosun.api.core.v1.Probe[] {c.getLivenessProbe(), c.getStartupProbe()}) {
        if (p != null && p.getTerminationGracePeriodSeconds() != null) {
          return Duration.ofSeconds(p.getTerminationGracePeriodSeconds());
        }
      }
    }
    return podGrace(pod);
  }

  private static List<Container> allContainers(Pod pod) {
    List<Container> out = new ArrayList<>();
    if (pod.getSpec().getInitContainers() != null) {
      out.addAll(pod.getSpec().getInitContainers());
    }
    out.addAll(pod.getSpec().getContainers());
    return out;
  }

  /** A short hash of the container's spec; a different hash means a new container. */
  String hash(Container c) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(codec.writeJson(c));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean isTerminalPhase(String phase) {
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  private static Instant min(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isBefore(b) ? a : b;
  }

  /** Go's Duration.String for whole seconds and minutes: 10s, 1m20s, 5m0s. */
  static String goDuration(Duration d) {
    long s = d.toSeconds();
    if (s < 60) {
      return s + "s";
    }
    return (s / 60) + "m" + (s % 60) + "s";
  }

  private static String ns(Pod pod) {
    return pod.getMetadata().getNamespace();
  }

  private static String name(Pod pod) {
    return pod.getMetadata().getName();
  }

  private static long parseLong(String s) {
    try {
      return s == null ? 0 : Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void safe(Runnable r) {
    try {
      r.run();
    } catch (ContainerRuntimeException e) {
      LOG.debug("Ignoring runtime error: {}", e.getMessage());
    }
  }
}

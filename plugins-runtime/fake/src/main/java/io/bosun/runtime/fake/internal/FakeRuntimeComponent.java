package io.bosun.runtime.fake.internal;

import io.bosun.runtime.fake.FakeRuntime;
import io.bosun.runtime.spi.ContainerRuntime;
import io.bosun.runtime.spi.ContainerService;
import io.bosun.runtime.spi.ExecService;
import io.bosun.runtime.spi.ImageService;
import io.bosun.runtime.spi.RuntimeCapabilities;
import io.bosun.runtime.spi.RuntimeStatus;
import io.bosun.runtime.spi.RuntimeVersion;
import io.bosun.runtime.spi.SandboxService;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The fake runtime as a service ({@code bosun.runtime=fake}). Its containers live in this
 * instance's memory: a configuration change or bundle update starts from nothing, and the kubelet
 * then sees its containers gone and recreates them. Immediate, so a kubelet update (its only
 * consumer going away for a moment) does not throw its containers away.
 */
@Component(service = ContainerRuntime.class, immediate = true, configurationPid = "io.bosun.runtime.fake",
    configurationPolicy = ConfigurationPolicy.OPTIONAL,
    property = {ContainerRuntime.RUNTIME_NAME + "=" + FakeRuntime.NAME, ContainerRuntime.HANDLERS + "=" + FakeRuntime.NAME})
@Designate(ocd = FakeRuntimeConfig.class)
public final class FakeRuntimeComponent implements ContainerRuntime {

  private final FakeRuntime runtime;

  @Activate
  public FakeRuntimeComponent(FakeRuntimeConfig config) {
    runtime = new FakeRuntime(new FakeRuntime.Behavior(Duration.ofMillis(Math.max(0, config.startDelayMillis())),
        config.exitAfterSeconds() < 0 ? null : Duration.ofSeconds(config.exitAfterSeconds()), config.exitCode(),
        Duration.ofMillis(Math.max(0, config.pullDelayMillis())), config.stopExitCode(), config.execExitCode()),
        Clock.systemUTC());
  }

  @Deactivate
  void deactivate() {
    runtime.close();
  }

  @Override
  public RuntimeVersion version() {
    return runtime.version();
  }

  @Override
  public RuntimeCapabilities capabilities() {
    return runtime.capabilities();
  }

  @Override
  public RuntimeStatus status() {
    return runtime.status();
  }

  @Override
  public SandboxService sandboxes() {
    return runtime.sandboxes();
  }

  @Override
  public ContainerService containers() {
    return runtime.containers();
  }

  @Override
  public ImageService images() {
    return runtime.images();
  }

  @Override
  public Optional<ExecService> exec() {
    return runtime.exec();
  }
}
